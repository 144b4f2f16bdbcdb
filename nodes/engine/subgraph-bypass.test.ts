// Bypass on a subgraph node: the node as a whole passes its inputs through by socket type (its definition's), its
// inner nodes never run, and a bypassed subgraph node without an input of an output's type cuts that output.
import { describe, expect, it } from 'vitest';
import { getCatalog } from '../registry';
import { Executor } from './executor';
import { flattenSubgraphs } from './subgraph';
import { convertToSubgraph } from './subgraph-edit';
import { validateGraph } from './validate';
import type { Graph } from './graph';
import type { OnnxRuntime } from '../runtime/onnx';
import { ModelStore } from '../runtime/models';
import { InputStore } from '../runtime/inputs';
import { decodeImage } from '../runtime/image';

const catalog = new Map(getCatalog().map((c) => [c.type, c]));
const node = (id: string, type: string, params: Record<string, unknown> = {}) => ({ id, type, typeVersion: 1, params });
const edge = (from: string, output: string, to: string, input: string) => ({ from: { node: from, output }, to: { node: to, input } });
const edgeText = (g: Pick<Graph, 'edges'>) => g.edges.map((e) => `${e.from.node}.${e.from.output}>${e.to.node}.${e.to.input}`).sort();
const executor = () => new Executor({ runtime: { ortMs: 0 } as OnnxRuntime, models: new ModelStore('/nonexistent'), inputs: new InputStore([]) });

/** A 48x32 fill, shrunk to 24x16 and tinted (the part that becomes the subgraph), saved. */
const fillShrinkSave = (): Graph => ({
  version: 3,
  nodes: [
    node('fill', 'solid_color', { width: 48, height: 32, color: '#204080' }),
    node('shrink', 'resize', { width: 24, height: 16 }),
    node('save', 'save_image', { filename_prefix: 'b', format: 'png' }),
  ],
  edges: [edge('fill', 'image', 'shrink', 'image'), edge('shrink', 'image', 'save', 'images')],
});

const bypass = <G extends Pick<Graph, 'nodes'>>(g: G, id: string): G => ({ ...g, nodes: g.nodes.map((n) => (n.id === id ? { ...n, mode: 'bypass' as const } : n)) });
/** The graph that runs (bypass and subgraphs resolved), or the problems. */
const runGraphOf = (g: Graph) => {
  const v = validateGraph(g, { catalog });
  if (!v.ok) throw new Error(v.problems.map((p) => p.message).join('; '));
  return v.runGraph;
};

describe('bypass on a subgraph node', () => {
  it('passes the subgraph input through to its output of the same type; nothing inside runs', async () => {
    const { graph, nodeId } = convertToSubgraph(fillShrinkSave(), ['shrink'], catalog);
    const off = bypass(graph, nodeId);
    const flat = flattenSubgraphs(off);
    expect(flat.graph.nodes.map((n) => n.id)).toEqual(['fill', 'subgraph', 'save']);
    expect(edgeText(runGraphOf(off))).toEqual(['fill.image>save.images']);

    const result = await executor().run(off, { runId: 'bypassed' });
    expect(result.status).toBe('succeeded');
    expect(result.nodes.map((n) => n.id)).toEqual(['fill', 'save']);
    // The saved picture is the unshrunk fill: 48x32, not the subgraph's 24x16.
    const size = async (bytes: Uint8Array) => (await decodeImage(bytes)).dims.slice(2);
    expect(await size(result.artifacts[0].bytes)).toEqual([32, 48]);
    const on = await executor().run(graph, { runId: 'on' });
    expect(await size(on.artifacts[0].bytes)).toEqual([16, 24]);
  });

  it('a bypassed subgraph node inside a subgraph passes through too', () => {
    const inner = convertToSubgraph(fillShrinkSave(), ['shrink'], catalog, { nodeId: 'inner' });
    const outer = convertToSubgraph(inner.graph, ['inner'], catalog, { nodeId: 'outer' });
    const def = outer.graph.subgraphs![outer.definition];
    const g = { ...outer.graph, subgraphs: { ...outer.graph.subgraphs, [outer.definition]: bypass(def, 'inner') } };
    expect(edgeText(runGraphOf(g))).toEqual(['fill.image>save.images']);
  });

  it('run to here on a node inside a bypassed subgraph node says so', () => {
    const { graph, nodeId } = convertToSubgraph(fillShrinkSave(), ['shrink'], catalog);
    const v = validateGraph(bypass(graph, nodeId), { catalog, targets: ['subgraph/shrink'] });
    expect(v.problems.map((p) => [p.code, p.nodeId, p.message])).toEqual([
      ['unknown_node', 'subgraph', 'node "subgraph/shrink" is inside subgraph node "subgraph", which is bypassed: turn bypass off to run to it'],
    ]);
  });

  it('an output with no input of its type is cut, and the problem names the bypassed subgraph node', () => {
    // The fill inside: the subgraph has an IMAGE output and no inputs.
    const { graph, nodeId } = convertToSubgraph(fillShrinkSave(), ['fill', 'shrink'], catalog, { name: 'Made' });
    const v = validateGraph(bypass(graph, nodeId), { catalog });
    expect(v.problems.map((p) => [p.code, p.nodeId, p.message])).toEqual([[
      'missing_input', 'save',
      'node "save" (Save Image) gets nothing on its IMAGE input "images": node "subgraph" is bypassed and has no IMAGE input to pass through',
    ]]);
  });
});
