import { describe, expect, it } from 'vitest';
import type { PreviewFrame } from '../define';
import type { RunEvent } from './events';
import { PreviewStream } from './preview-stream';
import { unpackSteps, type StepLatents } from './step-latents';

const RGB = { factors: [[1, 0, 0], [0, 1, 0], [0, 0, 1]], bias: [0, 0, 0] };

/** A 3x1x1 latent whose first value is the step: the fake encoder writes it into the "picture". */
function frame(step: number, total: number): PreviewFrame {
  const x0 = { data: new Float32Array([step, 0, 0]), dims: [1, 3, 1, 1] };
  const latent = { data: new Float32Array([-step, 0, 0]), dims: [1, 3, 1, 1] };
  return { step, total, sigma: total - step, x0, latent, latentRgb: RGB, stats: [{ mean: step, std: 0, min: 0, max: 0 }] };
}

function setup(fps?: number, stepBatchBytes?: number) {
  let now = 0;
  const events: RunEvent[] = [];
  const steps: StepLatents[][] = [];
  const encoded: number[] = [];
  const stream = new PreviewStream({
    runId: 'r', nodeId: 'k', mime: 'image/jpeg', fps, now: () => now, stepBatchBytes,
    emit: (e) => events.push(e),
    onSteps: (batch) => {
      expect(batch.data.length).toBe(batch.steps.length * 6); // x0 and latent, 3 floats each
      steps.push(unpackSteps(batch, { copy: true }));
    },
    encode: async (t) => {
      encoded.push(t.data[0]);
      return new Uint8Array([Math.abs(t.data[0])]);
    },
  });
  const sent = () => events.flatMap((e) => (e.type === 'node:preview' ? [e.step] : []));
  return { stream, events, steps, encoded, sent, setNow: (t: number) => (now = t) };
}

describe('PreviewStream', () => {
  it('draws at most fps frames a second plus the last step, and hands every step over at the end', async () => {
    const { stream, steps: batches, encoded, sent, setNow } = setup(10); // one frame per 100 ms
    for (let step = 0; step < 50; step++) {
      setNow(step * 7); // a step every 7 ms: 343 ms in all
      stream.offer(frame(step, 50));
    }
    expect(batches).toEqual([]); // kept while the sampler runs
    await stream.flush();
    expect(batches).toHaveLength(1);
    const steps = batches[0];
    // 0 ms, then the first step 100 ms or more after the last frame (15 at 105 ms, 30 at 210, 45 at 315), then the last.
    expect(sent()).toEqual([0, 15, 30, 45, 49]);
    expect(sent().length).toBeLessThanOrEqual(Math.floor((49 * 7) / 100) + 1 + 1);
    // Frames the pacer skipped were never drawn: two encodes (x0, latent) per frame sent.
    expect(encoded).toHaveLength(2 * 5);
    expect(steps.map((s) => s.step)).toEqual([...Array(50).keys()]);
    expect(steps[3]).toMatchObject({ runId: 'r', nodeId: 'k', total: 50, sigma: 47, dims: [3, 1, 1], stats: [{ mean: 3 }] });
    expect([...steps[3].x0]).toEqual([3, 0, 0]);
    expect([...steps[3].latent!]).toEqual([-3, 0, 0]);
  });

  it('flush sends the newest held frame (a pause, an early stop) and restarts the interval', async () => {
    const { stream, events, sent, setNow } = setup(10);
    stream.offer(frame(0, 20));
    setNow(30);
    stream.offer(frame(1, 20));
    setNow(60);
    stream.offer(frame(2, 20));
    expect(stream.pending).toBe(true);
    await stream.flush();
    expect(stream.pending).toBe(false);
    expect(sent()).toEqual([0, 2]);
    const held = events[1] as Extract<RunEvent, { type: 'node:preview' }>;
    expect([held.image[0], held.latentImage?.[0], held.stats?.[0].mean]).toEqual([2, 2, 2]);
    setNow(150); // 90 ms after the flush: still inside the interval
    stream.offer(frame(3, 20));
    await stream.flush(); // sends 3, which was held
    setNow(155);
    stream.offer(frame(4, 20));
    await stream.flush();
    expect(sent()).toEqual([0, 2, 3, 4]);
    await stream.flush(); // nothing held: nothing more
    expect(sent()).toEqual([0, 2, 3, 4]);
  });

  it('hands kept steps over once they hold stepBatchBytes of latents, the rest at the flush', async () => {
    const { stream, steps } = setup(undefined, 4 * 24); // 24 bytes of latents a step: batches of 4
    for (let step = 0; step < 10; step++) stream.offer(frame(step, 10));
    expect(steps.map((b) => b.map((s) => s.step))).toEqual([[0, 1, 2, 3], [4, 5, 6, 7]]);
    expect(stream.pending).toBe(true);
    await stream.flush();
    expect(steps.map((b) => b.map((s) => s.step))).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
  });

  it('keeps its own copies (the sampler reuses its arrays) and hands a batch over as one buffer', async () => {
    const { stream, steps: batches, events, setNow } = setup(10);
    const shared = { data: new Float32Array(3), dims: [1, 3, 1, 1] };
    for (let step = 0; step < 4; step++) {
      setNow(step); // steps 1..3 are held back by the pacer
      shared.data.set([step, 0, 0]);
      stream.offer({ step, total: 10, x0: shared, latent: shared, latentRgb: RGB, stats: [] });
    }
    shared.data.fill(99);
    await stream.flush();
    const steps = batches[0];
    expect(steps.map((s) => s.x0[0])).toEqual([0, 1, 2, 3]);
    expect(new Set(steps.flatMap((s) => [s.x0.buffer, s.latent!.buffer])).size).toBe(1);
    // The held frame drawn at the flush is step 3's, not what the array holds now.
    expect(events.map((e) => (e as { image: Uint8Array }).image[0])).toEqual([0, 3]);
  });

  it('without fps every frame is drawn, emitted in step order even when later encodes finish first', async () => {
    const events: RunEvent[] = [];
    const stream = new PreviewStream({
      runId: 'r', nodeId: 'k', mime: 'image/jpeg', emit: (e) => events.push(e),
      encode: async (t) => {
        await new Promise((r) => setTimeout(r, (10 - Math.abs(t.data[0])) * 3));
        return new Uint8Array([Math.abs(t.data[0])]);
      },
    });
    for (let step = 0; step < 10; step++) stream.offer(frame(step, 10));
    expect(stream.pending).toBe(true);
    await stream.flush();
    expect(events.map((e) => (e as { step: number }).step)).toEqual([...Array(10).keys()]);
  });
});
