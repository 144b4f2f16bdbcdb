// Acceptance (debugging issue): pause inside the real sampler of the txt2img workflow, step,
// resume, and get exactly the image a run without the debugger makes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DebugSession } from '../engine/debugger';
import type { RunEvent } from '../engine/events';
import { acceptanceModelsDir } from './pack';
import { createRunner, loadWorkflow, pixelsOf } from './workflow-runner';

let runner: ReturnType<typeof createRunner>;

beforeAll(async () => {
  runner = createRunner(await acceptanceModelsDir());
});
afterAll(async () => {
  await runner?.dispose();
});

type Paused = Extract<RunEvent, { type: 'run:paused' }>;

describe('debugging the txt2img sampler', () => {
  it('break at step 3 of 10, step twice, resume: bit-identical to a plain run', async () => {
    const graph = loadWorkflow('txt2img.json', { positive: { text: 'orange star on gray background' }, sampler: { steps: 10, seed: 5 } });
    const paused: Paused[] = [];
    let onPause: ((p: Paused) => void) | undefined;
    const ac = new AbortController();
    const session = new DebugSession({
      runId: 'debug', breakpoints: { steps: [{ nodeId: 'sampler', step: 3 }] }, pauseTimeoutMs: 60_000,
      onTimeout: (r) => ac.abort(r),
      emit: (e) => {
        if (e.type !== 'run:paused') return;
        paused.push(e);
        onPause?.(e);
      },
    });
    const next = () => new Promise<Paused>((resolve) => (onPause = resolve));

    let pause = next();
    runner.resetCache();
    const done = runner.run(graph, { debug: session, signal: ac.signal });
    expect((await pause).step).toBe(3);
    pause = next();
    session.step();
    expect((await pause).step).toBe(4);
    pause = next();
    session.step();
    const at5 = await pause;
    expect([at5.nodeId, at5.step, at5.total]).toEqual(['sampler', 5, 10]);
    expect(at5.stats).toHaveLength(4);
    // The latent moved between the two pauses.
    const moved = at5.stats.some((s, c) => Math.abs(s.std - paused[0].stats[c].std) > 1e-3);
    expect(moved).toBe(true);
    session.resume();
    const debugged = await done;

    runner.resetCache();
    const plain = await runner.run(graph);
    expect(paused.map((p) => p.step)).toEqual([3, 4, 5]);
    // Bit-identical pixels (the PNG files differ only in the embedded run id).
    const [a, b] = [await pixelsOf(debugged.artifacts[0].bytes), await pixelsOf(plain.artifacts[0].bytes)];
    expect(Buffer.from(a.data).equals(Buffer.from(b.data))).toBe(true);
  });
});
