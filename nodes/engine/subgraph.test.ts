// Subgraphs: flattening (flat ids, rewired crossing wires, promoted params, nesting, cycles), convert/unpack as the
// editor does them, validation problems reported on the subgraph node naming the inner node, and runs equal to the
// flattened graph's (same nodes, cache keys and pixels).
import { describe, expect, it } from 'vitest';
import { getCatalog } from '../registry';
import { Executor } from './executor';
import { flattenSubgraphs, MAX_FLAT_NODES, MAX_SUBGRAPH_DEPTH } from './subgraph';
import { convertToSubgraph, promoteParam, unpackSubgraph } from './subgraph-edit';
import { validateGraph } from './validate';
import { embedGraph } from '../interop/png-graph';
import type { Graph, SubgraphDefinition } from './graph';
import type { OnnxRuntime } from '../runtime/onnx';
import { ModelStore } from '../runtime/models';
import { InputStore } from '../runtime/inputs';

const catalog = new Map(getCatalog().map((c) => [c.type, c]));
const node = (id: string, type: string, params: Record<string, unknown> = {}, x = 0) => ({ id, type, typeVersion: 1, params, position: { x, y: 0 } });
const edge = (from: string, output: string, to: string, input: string) => ({ from: { node: from, output }, to: { node: to, input } });
const edgeText = (g: Pick<Graph, 'edges'>) => g.edges.map((e) => `${e.from.node}.${e.from.output}>${e.to.node}.${e.to.input}`).sort();

/** Two fills composited, shrunk and saved (twice: full size and shrunk). */
const imageGraph = (): Graph => ({
  version: 3,
  nodes: [
    node('bg', 'solid_color', { width: 48, height: 32, color: '#204080' }, 0),
    node('fg', 'solid_color', { width: 16, height: 8, color: '#e0c020' }, 0),
    node('place', 'composite', { x: 5, y: 7 }, 300),
    node('shrink', 'resize', { width: 24, height: 16 }, 600),
    node('save', 'save_image', { filename_prefix: 'r', format: 'png' }, 900),
    node('save_big', 'save_image', { filename_prefix: 'big', format: 'png' }, 900),
  ],
  edges: [
    edge('bg', 'image', 'place', 'base'), edge('fg', 'image', 'place', 'overlay'),
    edge('place', 'image', 'shrink', 'image'), edge('place', 'image', 'save_big', 'images'), edge('shrink', 'image', 'save', 'images'),
  ],
});

const executor = () => new Executor({ runtime: { ortMs: 0 } as OnnxRuntime, models: new ModelStore('/nonexistent'), inputs: new InputStore([]) });

describe('convertToSubgraph', () => {
  it('makes one node whose sockets are the wires that crossed the selection', () => {
    const { graph, nodeId, definition } = convertToSubgraph(imageGraph(), ['fg', 'place', 'shrink'], catalog, { name: 'Stamp' });
    expect(nodeId).toBe('subgraph');
    expect(graph.nodes.map((n) => n.id)).toEqual(['bg', 'subgraph', 'save', 'save_big']);
    expect(graph.nodes[1]).toMatchObject({ type: 'subgraph', subgraph: definition, position: { x: 300, y: 0 } });
    const def = graph.subgraphs![definition];
    expect(def.inputs).toEqual([{ name: 'base', type: 'IMAGE', to: [{ node: 'place', input: 'base' }] }]);
    // place.image left twice (to save_big only; shrink is inside), shrink.image once: two outputs.
    expect(def.outputs).toEqual([
      { name: 'image', type: 'IMAGE', from: { node: 'place', output: 'image' } },
      { name: 'image_2', type: 'IMAGE', from: { node: 'shrink', output: 'image' } },
    ]);
    expect(edgeText(def)).toEqual(['fg.image>place.overlay', 'place.image>shrink.image']);
    expect(edgeText(graph)).toEqual(['bg.image>subgraph.base', 'subgraph.image>save_big.images', 'subgraph.image_2>save.images']);
  });

  it('one outside source feeding two inner inputs is one subgraph input feeding both', () => {
    const g: Graph = { version: 3, nodes: [node('bg', 'solid_color'), node('a', 'composite'), node('save', 'save_image')], edges: [edge('bg', 'image', 'a', 'base'), edge('bg', 'image', 'a', 'overlay'), edge('a', 'image', 'save', 'images')] };
    const { graph, definition } = convertToSubgraph(g, ['a'], catalog);
    expect(graph.subgraphs![definition].inputs).toEqual([{ name: 'base', type: 'IMAGE', to: [{ node: 'a', input: 'base' }, { node: 'a', input: 'overlay' }] }]);
    expect(edgeText(flattenSubgraphs(graph).graph)).toEqual(['bg.image>subgraph/a.base', 'bg.image>subgraph/a.overlay', 'subgraph/a.image>save.images']);
  });

  it('refuses an empty selection and unknown nodes', () => {
    expect(() => convertToSubgraph(imageGraph(), [], catalog)).toThrow('select at least one node');
    expect(() => convertToSubgraph(imageGraph(), ['bg', 'nope'], catalog)).toThrow('node "nope" is not in the graph');
  });

  it('unpack restores the original graph (same nodes, params, positions and wires)', () => {
    const original = imageGraph();
    const { graph, nodeId } = convertToSubgraph(original, ['fg', 'place', 'shrink'], catalog);
    const back = unpackSubgraph(graph, nodeId);
    expect(back.nodeIds).toEqual(['fg', 'place', 'shrink']);
    expect(back.graph.subgraphs).toEqual({});
    expect(new Map(back.graph.nodes.map((n) => [n.id, n]))).toEqual(new Map(original.nodes.map((n) => [n.id, n])));
    expect(edgeText(back.graph)).toEqual(edgeText(original));
    expect(() => unpackSubgraph(back.graph, 'bg')).toThrow('node "bg" is not a subgraph node');
  });
});

describe('flattenSubgraphs', () => {
  it('prefixes inner ids with the subgraph node id and rewires the crossing wires', () => {
    const { graph } = convertToSubgraph(imageGraph(), ['fg', 'place', 'shrink'], catalog);
    const flat = flattenSubgraphs(graph);
    expect(flat.problems).toEqual([]);
    expect(flat.graph.subgraphs).toBeUndefined();
    expect(flat.graph.nodes.map((n) => n.id)).toEqual(['bg', 'subgraph/fg', 'subgraph/place', 'subgraph/shrink', 'save', 'save_big']);
    expect(edgeText(flat.graph)).toEqual(edgeText({ edges: imageGraph().edges.map((e) => ({
      from: { ...e.from, node: ['fg', 'place', 'shrink'].includes(e.from.node) ? `subgraph/${e.from.node}` : e.from.node },
      to: { ...e.to, node: ['fg', 'place', 'shrink'].includes(e.to.node) ? `subgraph/${e.to.node}` : e.to.node },
    })) }));
    expect([...flat.origin]).toEqual([['subgraph/fg', 'subgraph'], ['subgraph/place', 'subgraph'], ['subgraph/shrink', 'subgraph']]);
  });

  it('writes promoted params set on the subgraph node into the inner node; unset ones keep the inner value', () => {
    const converted = convertToSubgraph(imageGraph(), ['fg', 'place'], catalog);
    const promoted = promoteParam(converted.graph, 'subgraph', 'fg', 'color');
    const both = promoteParam(promoted.graph, 'subgraph', 'place', 'x');
    expect([promoted.name, both.name]).toEqual(['color', 'x']);
    const g = { ...both.graph, nodes: both.graph.nodes.map((n) => (n.id === 'subgraph' ? { ...n, params: { color: '#ff0000' } } : n)) };
    const flat = flattenSubgraphs(g).graph.nodes;
    expect(flat.find((n) => n.id === 'subgraph/fg')!.params).toEqual({ width: 16, height: 8, color: '#ff0000' });
    expect(flat.find((n) => n.id === 'subgraph/place')!.params).toEqual({ x: 5, y: 7 });
    // A param the subgraph does not promote is reported on it.
    const bad = { ...g, nodes: g.nodes.map((n) => (n.id === 'subgraph' ? { ...n, params: { colour: '#ff0000' } } : n)) };
    expect(flattenSubgraphs(bad).problems).toEqual([{ code: 'unknown_subgraph', nodeId: 'subgraph', message: 'subgraph node "subgraph" ("Subgraph") has no param "colour"; valid: color, x' }]);
  });

  it('flattens subgraphs inside subgraphs, ids prefixed at each level', () => {
    const once = convertToSubgraph(imageGraph(), ['fg', 'place'], catalog, { nodeId: 'inner' });
    const twice = convertToSubgraph(once.graph, ['inner', 'shrink'], catalog, { nodeId: 'outer' });
    expect(Object.keys(twice.graph.subgraphs!)).toEqual(['subgraph', 'subgraph_2']);
    const flat = flattenSubgraphs(twice.graph);
    expect(flat.problems).toEqual([]);
    expect(flat.graph.nodes.map((n) => n.id).sort()).toEqual(['bg', 'outer/inner/fg', 'outer/inner/place', 'outer/shrink', 'save', 'save_big']);
    expect(edgeText(flat.graph)).toEqual([
      'bg.image>outer/inner/place.base', 'outer/inner/fg.image>outer/inner/place.overlay', 'outer/inner/place.image>outer/shrink.image',
      'outer/inner/place.image>save_big.images', 'outer/shrink.image>save.images',
    ]);
    expect(flat.origin.get('outer/inner/fg')).toBe('outer');
  });

  it('reports a definition used inside itself, one nested too deep, and a missing one, on the subgraph node', () => {
    const loop: SubgraphDefinition = { name: 'Loop', nodes: [{ id: 'again', type: 'subgraph', typeVersion: 1, params: {}, subgraph: 'loop' }], edges: [], inputs: [], outputs: [], params: [] };
    const g: Graph = { version: 3, nodes: [{ id: 's', type: 'subgraph', typeVersion: 1, params: {}, subgraph: 'loop' }], edges: [], subgraphs: { loop } };
    expect(flattenSubgraphs(g).problems).toEqual([{ code: 'unknown_subgraph', nodeId: 's/again', message: 'subgraph node "s/again" uses "Loop" inside itself (loop → loop)' }]);
    // A chain of distinct definitions deeper than the limit.
    const defs: Record<string, SubgraphDefinition> = {};
    for (let i = 0; i <= MAX_SUBGRAPH_DEPTH + 1; i++) {
      defs[`d${i}`] = { name: `D${i}`, nodes: [{ id: 'n', type: 'subgraph', typeVersion: 1, params: {}, subgraph: `d${i + 1}` }], edges: [], inputs: [], outputs: [], params: [] };
    }
    const deep = flattenSubgraphs({ version: 3, nodes: [{ id: 's', type: 'subgraph', typeVersion: 1, params: {}, subgraph: 'd0' }], edges: [], subgraphs: defs });
    expect(deep.problems.map((p) => [p.nodeId.split('/').length, p.message.replace(/"[^"]+"/, 'X')])).toEqual([[MAX_SUBGRAPH_DEPTH + 1, `subgraph node X nests subgraphs more than ${MAX_SUBGRAPH_DEPTH} deep`]]);
    // Shared definitions multiply: 10 levels of 10 copies each would be 10^10 nodes. Expansion stops at the limit.
    const fan: Record<string, SubgraphDefinition> = {};
    for (let i = 0; i < 10; i++) {
      fan[`f${i}`] = { name: `F${i}`, nodes: Array.from({ length: 10 }, (_, k) => ({ id: `n${k}`, type: 'subgraph', typeVersion: 1, params: {}, subgraph: `f${i + 1}` })), edges: [], inputs: [], outputs: [], params: [] };
    }
    fan.f10 = { name: 'Leaf', nodes: [{ id: 'fill', type: 'solid_color', typeVersion: 1, params: {} }], edges: [], inputs: [], outputs: [], params: [] };
    const huge = flattenSubgraphs({ version: 3, nodes: [{ id: 's', type: 'subgraph', typeVersion: 1, params: {}, subgraph: 'f0' }], edges: [], subgraphs: fan });
    expect(huge.graph.nodes.length).toBeLessThanOrEqual(MAX_FLAT_NODES);
    expect(huge.problems.length).toBeGreaterThan(0);
    expect(huge.problems[0].message).toMatch(/would make the graph larger than 100000 nodes once its subgraphs are expanded$/);
    const missing = flattenSubgraphs({ version: 3, nodes: [{ id: 's', type: 'subgraph', typeVersion: 1, params: {}, subgraph: 'gone' }], edges: [] });
    expect(missing.problems).toEqual([{ code: 'unknown_subgraph', nodeId: 's', message: 'subgraph node "s" uses definition "gone", which this graph does not contain' }]);
  });
});

describe('validating and running a graph with a subgraph', () => {
  it('a problem on an inner node is reported on the subgraph node, naming the inner node', () => {
    const { graph } = convertToSubgraph(imageGraph(), ['fg', 'place', 'shrink'], catalog, { name: 'Stamp' });
    const def = graph.subgraphs!.subgraph;
    const broken = { ...graph, subgraphs: { subgraph: { ...def, nodes: def.nodes.map((n) => (n.id === 'shrink' ? { ...n, params: { width: -3, height: 16 } } : n)) } } };
    const v = validateGraph(broken, { catalog });
    expect(v.problems.map((p) => [p.code, p.nodeId, p.innerNodeId, p.param])).toEqual([['param_invalid', 'subgraph', 'subgraph/shrink', 'width']]);
    expect(v.problems[0].message).toMatch(/^in subgraph node "subgraph" \("Stamp"\), inner node "shrink": node "subgraph\/shrink" param "width": /);
    // A wire to a socket the subgraph lacks names the socket.
    const badWire = { ...graph, edges: [...graph.edges, edge('bg', 'image', 'subgraph', 'nope')] };
    expect(validateGraph(badWire, { catalog }).problems.map((p) => [p.code, p.nodeId, p.message])).toEqual([['unknown_socket', 'subgraph', 'subgraph node "subgraph" ("Stamp") has no input "nope"']]);
  });

  it('runs as the flattened graph: same cache keys and PNG pixels', async () => {
    const { graph } = convertToSubgraph(imageGraph(), ['fg', 'place', 'shrink'], catalog);
    const plain = await executor().run(imageGraph(), { runId: 'plain' });
    const nested = await executor().run(graph, { runId: 'nested' });
    expect(plain.status).toBe('succeeded');
    expect(nested.status).toBe('succeeded');
    expect(nested.nodes.map((n) => n.id).sort()).toEqual(['bg', 'save', 'save_big', 'subgraph/fg', 'subgraph/place', 'subgraph/shrink']);
    // The PNG embeds the graph as given (the subgraph kept); with the same graph embedded the bytes match.
    expect(nested.artifacts.map((a) => a.nodeId)).toEqual(plain.artifacts.map((a) => a.nodeId));
    for (const [i, a] of nested.artifacts.entries()) expect(Buffer.from(embedGraph(a.bytes, imageGraph()))).toEqual(Buffer.from(plain.artifacts[i].bytes));
    const ex = executor();
    await ex.run(imageGraph(), { runId: 'a' });
    const again = await ex.run(graph, { runId: 'b' });
    expect(again.nodes.every((n) => n.cached)).toBe(true);
  });
});
