// Acceptance: txt2img with its prompt and sampler moved into a subgraph (as the editor's "Convert to subgraph" does)
// draws the same pixels as txt2img itself, on the built-in sprites model.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCatalog } from '../registry';
import { convertToSubgraph, promoteParam } from '../engine/subgraph-edit';
import { acceptanceModelsDir } from './pack';
import { createRunner, loadWorkflow, pixelsOf } from './workflow-runner';

let runner: ReturnType<typeof createRunner>;
const catalog = new Map(getCatalog().map((c) => [c.type, c]));

beforeAll(async () => {
  runner = createRunner(await acceptanceModelsDir());
});
afterAll(async () => {
  await runner?.dispose();
});

describe('txt2img through a subgraph', () => {
  it('gives byte-identical pixels to the flattened txt2img, and a promoted prompt draws what the inner prompt would', async () => {
    const plain = loadWorkflow('txt2img.json', { sampler: { seed: 7, steps: 8 } });
    const { graph, nodeId } = convertToSubgraph(plain, ['positive', 'sampler'], catalog, { name: 'Prompt and sample' });
    const sockets = graph.subgraphs!.subgraph;
    expect(sockets.inputs.map((i) => `${i.name}:${i.type}`)).toEqual(['clip:CLIP', 'model:MODEL', 'negative:CONDITIONING', 'latent:LATENT']);
    expect(sockets.outputs.map((o) => `${o.name}:${o.type}`)).toEqual(['latent:LATENT']);

    const a = await pixelsOf((await runner.run(plain)).artifacts[0].bytes);
    runner.resetCache(); // the subgraph run computes everything again rather than reading the plain run's cache
    const b = await pixelsOf((await runner.run(graph)).artifacts[0].bytes);
    expect([b.width, b.height]).toEqual([a.width, a.height]);
    expect(Buffer.from(b.data).equals(Buffer.from(a.data))).toBe(true);

    // The prompt promoted to the subgraph node and set there = txt2img with that prompt (and not the red circle).
    const prompt = 'yellow star on green background';
    const promoted = promoteParam(graph, nodeId, 'positive', 'text').graph;
    const prompted = { ...promoted, nodes: promoted.nodes.map((n) => (n.id === nodeId ? { ...n, params: { text: prompt } } : n)) };
    const c = await pixelsOf((await runner.run(prompted)).artifacts[0].bytes);
    const d = await pixelsOf((await runner.run(loadWorkflow('txt2img.json', { sampler: { seed: 7, steps: 8 }, positive: { text: prompt } }))).artifacts[0].bytes);
    expect(Buffer.from(c.data).equals(Buffer.from(d.data))).toBe(true);
    expect(Buffer.from(c.data).equals(Buffer.from(a.data))).toBe(false);
  });
});
