import { describe, expect, it } from 'vitest';
import { Executor } from '../../engine/executor';
import type { RunEvent } from '../../engine/events';
import { validateGraph } from '../../engine/validate';
import { getCatalog } from '../../registry';
import type { OnnxRuntime } from '../../runtime/onnx';
import { ModelStore } from '../../runtime/models';
import { InputStore } from '../../runtime/inputs';

const graph = {
  version: 1 as const,
  nodes: [
    { id: 'readme', type: 'note', typeVersion: 1, params: { text: 'the fill is the brand colour' } },
    { id: 'fill', type: 'solid_color', typeVersion: 1, params: { width: 8, height: 8, color: '#112233' } },
    { id: 'save', type: 'save_image', typeVersion: 1, params: {} },
  ],
  edges: [{ from: { node: 'fill', output: 'image' }, to: { node: 'save', input: 'images' } }],
};

describe('Note', () => {
  it('is valid anywhere and never runs', async () => {
    expect(validateGraph(graph, { catalog: getCatalog() }).ok).toBe(true);
    const events: RunEvent[] = [];
    const ex = new Executor({ runtime: { ortMs: 0 } as OnnxRuntime, models: new ModelStore('/nonexistent'), inputs: new InputStore([]) });
    const result = await ex.run(graph, { runId: 'r', onEvent: (e) => events.push(e) });
    expect(result.status).toBe('succeeded');
    expect((events.find((e) => e.type === 'run:started') as { nodeIds: string[] }).nodeIds.sort()).toEqual(['fill', 'save']);
  });

  it('keeps long text but not unbounded text', () => {
    const long = { ...graph, nodes: [{ ...graph.nodes[0], params: { text: 'x'.repeat(20_001) } }, ...graph.nodes.slice(1)] };
    expect(validateGraph(long, { catalog: getCatalog() }).problems.map((p) => [p.code, p.nodeId, p.param])).toEqual([['param_invalid', 'readme', 'text']]);
  });
});
