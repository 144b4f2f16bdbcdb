import { describe, expect, it } from 'vitest';
import { PreviewThrottle } from './preview-throttle';

const frame = (step: number, total = 20, runId = 'r', nodeId = 'k') => ({
  runId, nodeId, step, total, mime: 'image/jpeg', image: new Uint8Array([step]),
});

describe('PreviewThrottle', () => {
  it('passes at most PREVIEW_FPS frames per second per run, always the last step', () => {
    let now = 0;
    const th = new PreviewThrottle(10, () => now); // one frame per 100 ms
    const sent: number[] = [];
    for (let step = 0; step < 20; step++) {
      now = step * 30; // a step every 30 ms
      for (const f of th.offer(frame(step))) sent.push(f.step);
    }
    // 0 ms, then the first step at or after each 100 ms mark since the last send, then the final step.
    expect(sent).toEqual([0, 4, 8, 12, 16, 19]);
  });

  it('counts every frame it never sends as dropped: replaced while held, superseded, or left at the run\'s end', () => {
    let now = 0;
    let dropped = 0;
    const th = new PreviewThrottle(10, () => now, () => dropped++);
    const sent: number[] = [];
    for (let step = 0; step < 20; step++) {
      now = step * 30;
      for (const f of th.offer(frame(step, 21))) sent.push(f.step);
    }
    th.forget('r'); // step 19 was still held
    expect(sent).toEqual([0, 4, 8, 12, 16]);
    expect(sent.length + dropped).toBe(20);
  });

  it('limits each run on its own', () => {
    const now = 0;
    const th = new PreviewThrottle(15, () => now);
    expect(th.offer(frame(0, 20, 'a'))).toHaveLength(1);
    expect(th.offer(frame(0, 20, 'b'))).toHaveLength(1);
    expect(th.offer(frame(1, 20, 'a'))).toHaveLength(0);
  });

  it('releases the held frame on pause or at the end of its node, once', () => {
    let now = 0;
    const th = new PreviewThrottle(10, () => now);
    th.offer(frame(0));
    now = 10;
    th.offer(frame(1));
    now = 20;
    th.offer(frame(2));
    expect(th.flush('r', 'other-node')).toEqual([]);
    expect(th.flush('r').map((f) => f.step)).toEqual([2]);
    expect(th.flush('r')).toEqual([]);
    th.forget('r');
    expect(th.offer(frame(3))).toHaveLength(1);
  });

  it('with slack, lets frames paced by the worker through despite jitter, and still caps a flood', () => {
    let now = 0;
    const th = new PreviewThrottle(10, () => now, undefined, { slack: 0.25 });
    const sent: number[] = [];
    // Paced at 10 fps upstream, arriving 95-105 ms apart.
    for (const [step, t] of [[0, 0], [1, 95], [2, 200], [3, 296], [4, 401]]) {
      now = t;
      for (const f of th.offer(frame(step))) sent.push(f.step);
    }
    expect(sent).toEqual([0, 1, 2, 3, 4]);
    // Unpaced: a frame every 10 ms for a second passes at most once per 75 ms.
    const flood: number[] = [];
    for (let step = 0; step < 100; step++) {
      now = 1000 + step * 10;
      for (const f of th.offer(frame(step, 200))) flood.push(f.step);
    }
    expect(flood).toEqual([0, 8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 96]);
  });
});
