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
});
