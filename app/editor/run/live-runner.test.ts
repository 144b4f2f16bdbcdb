// Live mode's scheduling: edits gathered, one live run at a time, the newest graph next, failures not fatal.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LiveRunner } from './live-runner';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

function setup() {
  const queued: string[] = [];
  let n = 0;
  let fail = false;
  const errors: unknown[] = [];
  const runner = new LiveRunner<string>({
    gatherMs: 50,
    enqueue: async (g) => {
      if (fail) throw new Error('invalid graph');
      queued.push(g);
      return `run${++n}`;
    },
    onError: (e) => errors.push(e),
  });
  return { runner, queued, errors, failNext: (f: boolean) => { fail = f; } };
}

describe('LiveRunner', () => {
  it('gathers a burst of edits into one run of the last graph', async () => {
    const { runner, queued } = setup();
    for (const cfg of ['cfg 5', 'cfg 5.5', 'cfg 6']) {
      runner.change(cfg);
      await vi.advanceTimersByTimeAsync(15);
    }
    expect(queued).toEqual([]);
    await vi.advanceTimersByTimeAsync(10);
    expect(queued).toEqual(['cfg 6']);
    expect(runner.running).toBe('run1');
  });

  it('runs during a drag that never pauses, at most once per gathering period', async () => {
    const { runner, queued } = setup();
    for (let t = 0; t < 300; t += 10) {
      runner.change(`cfg ${t}`);
      await vi.advanceTimersByTimeAsync(10);
      // Each live run ends at once here: only the gathering period limits the rate.
      if (runner.running) runner.ended(runner.running);
    }
    // 300 ms of changes every 10 ms, gathered 50 ms at a time: six runs, each of the newest value then.
    expect(queued).toEqual(['cfg 40', 'cfg 90', 'cfg 140', 'cfg 190', 'cfg 240', 'cfg 290']);
  });

  it('keeps one live run at a time: edits meanwhile become one run of the newest graph when it ends', async () => {
    const { runner, queued } = setup();
    runner.change('a');
    await vi.advanceTimersByTimeAsync(60);
    runner.change('b');
    await vi.advanceTimersByTimeAsync(60);
    runner.change('c');
    await vi.advanceTimersByTimeAsync(60);
    // "b" is superseded by "c" before it ever queued.
    expect(queued).toEqual(['a']);
    runner.ended('someone else');
    expect(queued).toEqual(['a']);
    runner.ended('run1');
    await vi.advanceTimersByTimeAsync(0);
    expect(queued).toEqual(['a', 'c']);
    runner.ended('run2');
    await vi.advanceTimersByTimeAsync(100);
    expect(queued).toEqual(['a', 'c']);
  });

  it('replaces a live run still waiting in the queue; a started one is let finish', async () => {
    const queued: string[] = [];
    const cancelled: string[] = [];
    let n = 0;
    const runner = new LiveRunner<string>({
      gatherMs: 50,
      enqueue: async (g) => { queued.push(g); return `run${++n}`; },
      cancel: async (id) => { cancelled.push(id); },
    });
    runner.change('a');
    await vi.advanceTimersByTimeAsync(60);
    // run1 waits behind other people's runs; the next edit supersedes it at once.
    runner.change('b');
    await vi.advanceTimersByTimeAsync(60);
    expect(cancelled).toEqual(['run1']);
    expect(queued).toEqual(['a', 'b']);
    runner.started('run2');
    runner.change('c');
    await vi.advanceTimersByTimeAsync(60);
    expect(cancelled).toEqual(['run1']);
    expect(queued).toEqual(['a', 'b']);
    // The cancelled run's end is not the live run's.
    runner.ended('run1');
    await vi.advanceTimersByTimeAsync(0);
    expect(queued).toEqual(['a', 'b']);
    runner.ended('run2');
    await vi.advanceTimersByTimeAsync(0);
    expect(queued).toEqual(['a', 'b', 'c']);
  });

  it('takes an end that overtakes the enqueue answer', async () => {
    const answers: ((id: string) => void)[] = [];
    const queued: string[] = [];
    const runner = new LiveRunner<string>({
      gatherMs: 50,
      enqueue: (g) => new Promise((resolve) => { queued.push(g); answers.push(resolve); }),
    });
    runner.change('a');
    await vi.advanceTimersByTimeAsync(50);
    expect(queued).toEqual(['a']);
    // The run's end event arrives before enqueue() answered with its id.
    runner.ended('run1');
    runner.change('b');
    await vi.advanceTimersByTimeAsync(60);
    expect(queued).toEqual(['a']);
    answers[0]('run1');
    await vi.advanceTimersByTimeAsync(0);
    expect(queued).toEqual(['a', 'b']);
  });

  it('goes on after a run that could not be queued, and stops for good', async () => {
    const { runner, queued, errors, failNext } = setup();
    failNext(true);
    runner.change('broken');
    await vi.advanceTimersByTimeAsync(60);
    expect(errors).toHaveLength(1);
    failNext(false);
    runner.change('fixed');
    await vi.advanceTimersByTimeAsync(60);
    expect(queued).toEqual(['fixed']);
    runner.ended('run1');
    runner.stop();
    runner.change('after stop');
    await vi.advanceTimersByTimeAsync(100);
    expect(queued).toEqual(['fixed']);
  });
});

describe('liveGraph', () => {
  it('drops seed controls and keeps everything else', async () => {
    const { liveGraph } = await import('./live-runner');
    const g = { version: 1, nodes: [{ id: 's', params: { seed: 7 }, controls: { seed: 'randomize' } }, { id: 't', params: { text: 'x' } }], edges: [] };
    expect(liveGraph(g)).toEqual({ version: 1, nodes: [{ id: 's', params: { seed: 7 } }, { id: 't', params: { text: 'x' } }], edges: [] });
    expect(g.nodes[0].controls).toEqual({ seed: 'randomize' });
  });
});
