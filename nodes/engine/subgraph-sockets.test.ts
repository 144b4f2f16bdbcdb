// Sockets added to a subgraph after it was made: the flattened graph wires the new sockets where the inner ones are,
// and runs to the flat graph's pixels; sockets still wired outside are not removed.
import { describe, expect, it } from 'vitest';
import { getCatalog } from '../registry';
import { Executor } from './executor';
import { flattenSubgraphs } from './subgraph';
import { convertToSubgraph } from './subgraph-edit';
import { exposeInput, exposeOutput, removeSocket } from './subgraph-sockets';
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

/** bg and fg composited, shrunk and saved; the composite also saved at full size. `wired: false` leaves fg and save_big unwired. */
const composite = (wired: boolean): Graph => ({
  version: 3,
  nodes: [
    node('bg', 'solid_color', { width: 48, height: 32, color: '#204080' }),
    node('fg', 'solid_color', { width: 16, height: 8, color: '#e0c020' }),
    node('place', 'composite', { x: 5, y: 7 }),
    node('shrink', 'resize', { width: 24, height: 16 }),
    node('save', 'save_image', { filename_prefix: 's', format: 'png' }),
    node('save_big', 'save_image', { filename_prefix: 'big', format: 'png' }),
  ],
  edges: [
    edge('bg', 'image', 'place', 'base'), edge('place', 'image', 'shrink', 'image'), edge('shrink', 'image', 'save', 'images'),
    ...(wired ? [edge('fg', 'image', 'place', 'overlay'), edge('place', 'image', 'save_big', 'images')] : []),
  ],
});

/** The unwired graph with place and shrink in a subgraph, then place's overlay input and image output exposed. */
function exposed() {
  const { graph, definition } = convertToSubgraph(composite(false), ['place', 'shrink'], catalog);
  const input = exposeInput(graph, definition, 'place', 'overlay', catalog);
  const output = exposeOutput(input.graph, definition, 'place', 'image', catalog);
  return { graph: output.graph, definition, names: [input.name, output.name] };
}

describe('exposing inner sockets on a subgraph', () => {
  it('adds an input and an output socket that flatten to the inner sockets, with the flat graph\'s pixels', async () => {
    const { graph, definition, names } = exposed();
    expect(names).toEqual(['overlay', 'image_2']);
    const def = graph.subgraphs![definition];
    expect(def.inputs.map((i) => [i.name, i.type, i.to])).toEqual([['base', 'IMAGE', [{ node: 'place', input: 'base' }]], ['overlay', 'IMAGE', [{ node: 'place', input: 'overlay' }]]]);
    expect(def.outputs.map((o) => [o.name, o.type, o.from.node])).toEqual([['image', 'IMAGE', 'shrink'], ['image_2', 'IMAGE', 'place']]);

    const wired = { ...graph, edges: [...graph.edges, edge('fg', 'image', 'subgraph', 'overlay'), edge('subgraph', 'image_2', 'save_big', 'images')] };
    const flatIds = (id: string) => (['place', 'shrink'].includes(id) ? `subgraph/${id}` : id);
    expect(edgeText(flattenSubgraphs(wired).graph)).toEqual(edgeText({
      edges: composite(true).edges.map((e) => ({ from: { ...e.from, node: flatIds(e.from.node) }, to: { ...e.to, node: flatIds(e.to.node) } })),
    }));
    const [viaSockets, flat] = [await executor().run(wired, { runId: 'sockets' }), await executor().run(composite(true), { runId: 'flat' })];
    expect(viaSockets.status).toBe('succeeded');
    expect(viaSockets.artifacts.map((a) => a.nodeId)).toEqual(['save', 'save_big']);
    for (const [i, a] of viaSockets.artifacts.entries()) {
      const [got, want] = [await decodeImage(a.bytes), await decodeImage(flat.artifacts[i].bytes)];
      expect(got.dims).toEqual(want.dims);
      expect(Array.from(got.data)).toEqual(Array.from(want.data));
    }
  });

  it('an input already exposed keeps its socket; one wired inside is refused', () => {
    const { graph, definition } = exposed();
    expect(exposeInput(graph, definition, 'place', 'base', catalog)).toEqual({ graph, name: 'base' });
    expect(exposeOutput(graph, definition, 'shrink', 'image', catalog)).toEqual({ graph, name: 'image' });
    expect(() => exposeInput(graph, definition, 'shrink', 'image', catalog)).toThrow('input "image" of inner node "shrink" is wired inside the subgraph: remove that wire to feed it from outside');
    expect(() => exposeInput(graph, definition, 'place', 'nope', catalog)).toThrow('inner node "place" of subgraph "Subgraph" has no input "nope"');
    expect(() => exposeOutput(graph, definition, 'gone', 'image', catalog)).toThrow('subgraph "Subgraph" has no inner node "gone"');
  });

  it('removes a socket no wire uses; a wired one stays until its wire goes', () => {
    const { graph, definition } = exposed();
    const wired = { ...graph, edges: [...graph.edges, edge('fg', 'image', 'subgraph', 'overlay')] };
    expect(() => removeSocket(wired, definition, 'input', 'overlay')).toThrow('input "overlay" of subgraph "Subgraph" is wired on node "subgraph": remove that wire first');
    const noInput = removeSocket(graph, definition, 'input', 'overlay');
    expect(noInput.subgraphs![definition].inputs.map((i) => i.name)).toEqual(['base']);
    const noOutput = removeSocket(noInput, definition, 'output', 'image_2');
    expect(noOutput.subgraphs![definition].outputs.map((o) => o.name)).toEqual(['image']);
    expect(() => removeSocket(noOutput, definition, 'output', 'image')).toThrow('output "image" of subgraph "Subgraph" is wired on node "subgraph": remove that wire first');
    expect(() => removeSocket(noOutput, definition, 'output', 'image_2')).toThrow('subgraph "Subgraph" has no output "image_2"');
  });
});
