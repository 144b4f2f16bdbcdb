// Reroutes: resolved away like bypass (same run graph, same cache keys, byte-identical PNGs once the embedded graph
// is set aside), type-checked through (validation and the editor's checkConnection), and an unfed reroute named.
import { describe, expect, it } from 'vitest';
import { getCatalog } from '../registry';
import { Executor } from './executor';
import { resolveReroutes, rerouteType } from './reroute';
import { checkConnection, validateGraph } from './validate';
import { embedGraph } from '../interop/png-graph';
import type { Graph } from './graph';
import type { OnnxRuntime } from '../runtime/onnx';
import { ModelStore } from '../runtime/models';
import { InputStore } from '../runtime/inputs';

const catalog = new Map(getCatalog().map((c) => [c.type, c]));
const node = (id: string, type: string, params: Record<string, unknown> = {}) => ({ id, type, typeVersion: 1, params });
const edge = (from: string, output: string, to: string, input: string) => ({ from: { node: from, output }, to: { node: to, input } });
const edgeText = (g: Pick<Graph, 'edges'>) => g.edges.map((e) => `${e.from.node}.${e.from.output}>${e.to.node}.${e.to.input}`).sort();

/** Two fills composited, shrunk and saved; with `reroutes`, the wires pass through dots (a chain, and a fan-out). */
function imageGraph(reroutes: boolean): Graph {
  const nodes = [
    node('bg', 'solid_color', { width: 48, height: 32, color: '#204080' }),
    node('fg', 'solid_color', { width: 16, height: 8, color: '#e0c020' }),
    node('place', 'composite', { x: 5, y: 7 }),
    node('shrink', 'resize', { width: 24, height: 16 }),
    node('save', 'save_image', { filename_prefix: 'r', format: 'png' }),
    node('save_big', 'save_image', { filename_prefix: 'big', format: 'png' }),
  ];
  if (!reroutes) {
    return {
      version: 1, nodes,
      edges: [
        edge('bg', 'image', 'place', 'base'), edge('fg', 'image', 'place', 'overlay'),
        edge('place', 'image', 'shrink', 'image'), edge('place', 'image', 'save_big', 'images'), edge('shrink', 'image', 'save', 'images'),
      ],
    };
  }
  return {
    version: 1,
    nodes: [...nodes, node('r1', 'reroute'), node('r2', 'reroute'), node('fan', 'reroute')],
    edges: [
      edge('bg', 'image', 'place', 'base'), edge('fg', 'image', 'r1', 'input'), edge('r1', 'output', 'r2', 'input'),
      edge('r2', 'output', 'place', 'overlay'), edge('place', 'image', 'fan', 'input'),
      edge('fan', 'output', 'shrink', 'image'), edge('fan', 'output', 'save_big', 'images'), edge('shrink', 'image', 'save', 'images'),
    ],
  };
}

const executor = () => new Executor({ runtime: { ortMs: 0 } as OnnxRuntime, models: new ModelStore('/nonexistent'), inputs: new InputStore([]) });

describe('resolveReroutes', () => {
  it('feeds each consumer from the reroute chain\'s source and drops the reroutes', () => {
    const { graph, via, cut } = resolveReroutes(imageGraph(true));
    expect(graph.nodes.map((n) => n.id)).toEqual(['bg', 'fg', 'place', 'shrink', 'save', 'save_big']);
    expect(edgeText(graph)).toEqual(edgeText(imageGraph(false)));
    expect(via.get('place\0overlay')).toEqual(['r2', 'r1']);
    expect(via.get('save_big\0images')).toEqual(['fan']);
    expect(cut.size).toBe(0);
  });

  it('a graph with reroutes runs as the same graph without them: same nodes, cache keys and PNG bytes', async () => {
    const plain = await executor().run(imageGraph(false), { runId: 'plain' });
    const rerouted = await executor().run(imageGraph(true), { runId: 'rerouted' });
    expect(plain.status).toBe('succeeded');
    expect(rerouted.status).toBe('succeeded');
    expect(rerouted.nodes.map((n) => n.id)).toEqual(plain.nodes.map((n) => n.id));
    expect(rerouted.artifacts.map((a) => [a.nodeId, a.width, a.height])).toEqual([['save', 24, 16], ['save_big', 48, 32]]);
    // The PNG embeds the graph as given (reroutes kept, like bypass flags); with the same graph embedded the bytes match.
    for (const [i, a] of rerouted.artifacts.entries()) {
      expect(Buffer.from(embedGraph(a.bytes, imageGraph(false)))).toEqual(Buffer.from(plain.artifacts[i].bytes));
    }
    // Same cache keys: the rerouted graph after the plain one in one executor runs nothing again.
    const ex = executor();
    await ex.run(imageGraph(false), { runId: 'a' });
    const again = await ex.run(imageGraph(true), { runId: 'b' });
    expect(again.nodes.map((n) => [n.id, n.cached])).toEqual(plain.nodes.map((n) => [n.id, true]));
  });
});

describe('validation through reroutes', () => {
  /** A solid fill (IMAGE) through reroute "dot" into VAE Decode's LATENT input. */
  const mistyped: Graph = {
    version: 1,
    nodes: [
      node('ckpt', 'checkpoint_loader'), node('fill', 'solid_color'), node('dot', 'reroute'),
      node('decode', 'vae_decode'), node('save', 'save_image'),
    ],
    edges: [
      edge('fill', 'image', 'dot', 'input'), edge('dot', 'output', 'decode', 'latent'),
      edge('ckpt', 'vae', 'decode', 'vae'), edge('decode', 'image', 'save', 'images'),
    ],
  };

  it('an IMAGE reroute into a LATENT input is a type mismatch naming the input and the reroute', () => {
    const v = validateGraph(mistyped, { catalog });
    expect(v.problems.map((p) => [p.code, p.nodeId, p.input, p.message])).toEqual([[
      'type_mismatch', 'decode', 'latent',
      'IMAGE output "image" of Solid Colour cannot connect to LATENT input "latent" of VAE Decode (through reroute "dot")',
    ]]);
  });

  it('the editor refuses the same wire at either end of the reroute, and types the dot by what it carries', () => {
    const unwired = { nodes: mistyped.nodes, edges: mistyped.edges.filter((e) => e.to.node !== 'decode' || e.to.input !== 'latent') };
    expect(rerouteType(unwired, catalog, 'dot')).toBe('IMAGE');
    expect(checkConnection(catalog, unwired, edge('dot', 'output', 'decode', 'latent'))).toEqual({
      ok: false, reason: 'IMAGE output "output" of Reroute cannot connect to LATENT input "latent" of VAE Decode',
    });
    expect(checkConnection(catalog, unwired, edge('dot', 'output', 'save', 'images')).ok).toBe(true);
    // Fed by nothing but feeding a LATENT input, the dot takes LATENT: an IMAGE may not come in.
    const unfed = { nodes: mistyped.nodes, edges: mistyped.edges.filter((e) => e.to.node !== 'dot') };
    expect(rerouteType(unfed, catalog, 'dot')).toBe('LATENT');
    expect(checkConnection(catalog, unfed, edge('fill', 'image', 'dot', 'input'))).toEqual({
      ok: false, reason: 'IMAGE output "image" of Solid Colour cannot connect to LATENT input "input" of Reroute',
    });
    // A lone dot takes anything.
    const lone = { nodes: [...mistyped.nodes, node('free', 'reroute')], edges: [] };
    expect(rerouteType(lone, catalog, 'free')).toBeUndefined();
    expect(checkConnection(catalog, lone, edge('fill', 'image', 'free', 'input')).ok).toBe(true);
  });

  it('a reroute with nothing connected in is reported on the reroute, naming what it should feed', () => {
    const g = imageGraph(true);
    const unfed = { ...g, edges: g.edges.filter((e) => e.to.node !== 'fan') };
    const v = validateGraph(unfed, { catalog });
    expect(v.problems.map((p) => [p.code, p.nodeId, p.input, p.message])).toEqual([
      ['missing_input', 'fan', 'input', 'reroute "fan" has nothing connected to its input, so node "save_big" (Save Image) gets nothing on its IMAGE input "images"'],
      ['missing_input', 'fan', 'input', 'reroute "fan" has nothing connected to its input, so node "shrink" (Resize Image) gets nothing on its IMAGE input "image"'],
    ]);
  });

  it('reports loops of reroutes, sockets a reroute lacks, and a reroute as a run target', () => {
    const g = imageGraph(true);
    const loop = { ...g, edges: [...g.edges.filter((e) => e.to.node !== 'r1'), edge('r2', 'output', 'r1', 'input')] };
    expect(validateGraph(loop, { catalog }).problems.map((p) => [p.code, p.nodeId])).toEqual([['cycle', 'r2']]);
    const badSocket = { ...g, edges: [...g.edges, edge('r1', 'image', 'save_big', 'images')] };
    expect(validateGraph(badSocket, { catalog }).problems.map((p) => p.message)).toContain(
      'reroute "r1" has no socket "image"; it has one input "input" and one output "output"',
    );
    expect(validateGraph(g, { catalog, targets: ['fan'] }).problems.map((p) => p.message)).toEqual([
      'node "fan" is a reroute: run to the node that feeds it',
    ]);
  });

  it('validation keeps the reroutes in the graph as given and hands the executor the resolved one', () => {
    const v = validateGraph(imageGraph(true), { catalog });
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(v.graph.nodes.filter((n) => n.type === 'reroute').map((n) => n.id)).toEqual(['r1', 'r2', 'fan']);
    expect(v.runGraph.nodes.some((n) => n.type === 'reroute')).toBe(false);
  });
});
