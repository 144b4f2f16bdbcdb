// PREVIEW_STEPS=all on the built-in sprites model: a run nobody watches (no socket in any room, as an overnight batch
// queued through the API) keeps every sampler step for the timeline, readable as the editor and the runs page read
// them (runs.stepNodes, runs.steps, the step frames). PREVIEW_STEPS=watched (the default) keeps none for such a run:
// debug-storage.test.ts joins a room before its runs for that reason.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spritesCheckpointPart } from '../../nodes/pack/checkpoint';
import { ensurePack } from '../../nodes/pack/generate';
import { StepStore } from '../steps/step-store';
import { runEnded, startTestServer, tempDir, txt2imgGraph, type TestServer } from '../testing/harness';

let t: TestServer;
let dataDir: string;

beforeAll(async () => {
  dataDir = tempDir('preview-steps-all');
  await ensurePack(path.join(dataDir, 'models'), { parts: [spritesCheckpointPart] });
  t = await startTestServer(dataDir, { PREVIEW_STEPS: 'all' });
});

afterAll(async () => {
  await t?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('PREVIEW_STEPS=all', () => {
  it("keeps an unwatched run's sampler steps: listed, with sigma and stats, and drawn on request", async () => {
    const wf = await t.trpc.workflows.create.mutate({ name: 'overnight', graph: txt2imgGraph(4242, 5) });
    // Nobody joins a room: the run has no audience at any point.
    const { runId } = await t.trpc.runs.enqueue.mutate({ workflowId: wf.id });
    const run = await runEnded(t, runId);
    expect(run.status).toBe('succeeded');

    expect(await t.trpc.runs.stepNodes.query({ runId })).toEqual([{ nodeId: 'sampler', steps: 5 }]);
    const timeline = await t.trpc.runs.steps.query({ runId, nodeId: 'sampler' });
    expect(timeline.map((s) => s.step)).toEqual([0, 1, 2, 3, 4]);
    expect(timeline.every((s) => s.total === 5 && s.stats.length === 4 && s.latent !== null)).toBe(true);
    const sigmas = timeline.map((s) => s.sigma!);
    expect(sigmas[0]).toBeCloseTo(14.6146, 3); // SD's sigma_max on the normal schedule
    expect(sigmas).toEqual([...sigmas].sort((a, b) => b - a));
    expect(new Set(timeline.map((s) => s.stats[0].mean)).size).toBe(5);

    // Stored where the watched runs' steps are (one file per run), not as previews or artifacts.
    expect((await new StepStore(dataDir).list(runId, 'sampler')).map((s) => s.step)).toEqual([0, 1, 2, 3, 4]);
    expect(fs.readdirSync(path.join(dataDir, 'steps'))).toContain(`${runId}.steps`);
    expect(run.artifacts.map((a) => a.kind)).toEqual(['image']);

    // Step 0's predicted x0 and step 4's differ: real frames, drawn from the stored latents.
    const frame = async (url: string) => {
      const res = await fetch(`${t.url}${url}`);
      expect([res.status, res.headers.get('content-type')]).toEqual([200, 'image/png']);
      return Buffer.from(await res.arrayBuffer());
    };
    const [first, last] = [await frame(timeline[0].image.url), await frame(timeline[4].image.url)];
    expect(first.equals(last)).toBe(false);
  });
});
