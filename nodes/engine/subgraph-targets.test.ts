// "Run to here" on a subgraph node: the run executes what its outputs need (and the output nodes inside it), and
// nothing else; a subgraph node with nothing to run to is a problem on it.
import { describe, expect, it } from 'vitest';
import { getCatalog } from '../registry';
import { Executor } from './executor';
import { convertToSubgraph } from './subgraph-edit';
import { validateGraph } from './validate';
import type { Graph } from './graph';
import type { OnnxRuntime } from '../runtime/onnx';
import { ModelStore } from '../runtime/models';
import { InputStore } from '../runtime/inputs';

const catalog = new Map(getCatalog().map((c) => [c.type, c]));
const node = (id: string, type: string, params: Record<string, unknown> = {}) => ({ id, type, typeVersion: 1, params });
const edge = (from: string, output: string, to: string, input: string) => ({ from: { node: from, output }, to: { node: to, input } });
const executor = () => new Executor({ runtime: { ortMs: 0 } as OnnxRuntime, models: new ModelStore('/nonexistent'), inputs: new InputStore([]) });

/** fill → shrink → tint-free save; a second, unrelated fill → save_other. */
const twoBranches = (): Graph => ({
  version: 3,
  nodes: [
    node('fill', 'solid_color', { width: 48, height: 32, color: '#204080' }),
    node('shrink', 'resize', { width: 24, height: 16 }),
    node('save', 'save_image', { filename_prefix: 'a', format: 'png' }),
    node('other', 'solid_color', { width: 8, height: 8, color: '#ffffff' }),
    node('save_other', 'save_image', { filename_prefix: 'b', format: 'png' }),
  ],
  edges: [edge('fill', 'image', 'shrink', 'image'), edge('shrink', 'image', 'save', 'images'), edge('other', 'image', 'save_other', 'images')],
});

describe('run to here on a subgraph node', () => {
  it('runs the inner nodes its outputs come from and their ancestors, nothing downstream or unrelated', async () => {
    const { graph, nodeId } = convertToSubgraph(twoBranches(), ['fill', 'shrink'], catalog);
    const v = validateGraph(graph, { catalog, targets: [nodeId] });
    expect(v.problems).toEqual([]);
    expect(v.ok && v.targets).toEqual(['subgraph/shrink']);
    const result = await executor().run(graph, { runId: 'to-subgraph', targets: [nodeId] });
    expect(result.status).toBe('succeeded');
    expect(result.nodes.map((n) => n.id)).toEqual(['subgraph/fill', 'subgraph/shrink']);
    expect(result.artifacts).toEqual([]);
    // What the inner resize made is the value of the run: the 24x16 picture.
    const image = result.values.get('subgraph/shrink')?.image as { dims: number[] };
    expect(image.dims).toEqual([1, 3, 16, 24]);
  });

  it('a Save Image inside runs too; a subgraph inside a subgraph resolves through both', async () => {
    const inner = convertToSubgraph(twoBranches(), ['shrink', 'save'], catalog, { nodeId: 'inner' });
    const outer = convertToSubgraph(inner.graph, ['fill', 'inner'], catalog, { nodeId: 'outer' });
    const result = await executor().run(outer.graph, { runId: 'nested', targets: ['outer'] });
    expect(result.status).toBe('succeeded');
    expect(result.nodes.map((n) => n.id)).toEqual(['outer/fill', 'outer/inner/shrink', 'outer/inner/save']);
    expect(result.artifacts.map((a) => [a.nodeId, a.width, a.height])).toEqual([['outer/inner/save', 24, 16]]);
  });

  it('a subgraph node with no outputs and no output node inside is reported on itself', () => {
    const { graph, nodeId } = convertToSubgraph(twoBranches(), ['other'], catalog);
    const lone = { ...graph, edges: graph.edges.filter((e) => e.from.node !== nodeId), subgraphs: { ...graph.subgraphs!, subgraph: { ...graph.subgraphs!.subgraph, outputs: [] } } };
    expect(validateGraph(lone, { catalog, targets: [nodeId] }).problems.map((p) => [p.code, p.nodeId, p.message])).toEqual([
      ['no_output', 'subgraph', 'subgraph node "subgraph" has no outputs and no output node inside: nothing to run to'],
    ]);
  });
});
