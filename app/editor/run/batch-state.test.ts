import { describe, expect, it } from 'vitest';
import { activeRunIds, applyStatuses, batchActive, describeBatch, reduceBatch, startBatch, type BatchView } from './batch-state';
import type { RunAction } from './run-state';

function fold(b: BatchView | null, actions: RunAction[]): BatchView | null {
  return actions.reduce(reduceBatch, b);
}

const started = (runId: string): RunAction => ({ type: 'run:started', runId, nodeIds: ['a'] });
const finished = (runId: string): RunAction => ({ type: 'run:finished', runId, totalMs: 1, ortMs: 0, artifacts: [] });
const cancelled = (runId: string): RunAction => ({ type: 'run:cancelled', runId, reason: 'batch stopped by user' });

describe('batch state of one Run ×N press', () => {
  it('counts the runs going, done and queued as the events come, one at a time', () => {
    let b = startBatch(['r1', 'r2', 'r3']);
    expect(describeBatch(b)).toBe('0 of 3 done · 3 queued');
    b = fold(b, [started('r1')])!;
    expect(describeBatch(b)).toBe('run 1 of 3 · 2 queued');
    b = fold(b, [finished('r1'), started('r2')])!;
    expect(describeBatch(b)).toBe('run 2 of 3 · 1 queued');
    b = fold(b, [{ type: 'run:paused', runId: 'r2', nodeId: 'k', step: 3, total: 20, stats: [] }])!;
    expect(describeBatch(b)).toBe('run 2 of 3 · 1 queued');
    b = fold(b, [finished('r2'), started('r3')])!;
    expect(describeBatch(b)).toBe('run 3 of 3');
    expect(batchActive(b)).toBe(true);
    b = fold(b, [finished('r3')])!;
    expect(describeBatch(b)).toBe('3 runs: 3 succeeded');
    expect(batchActive(b)).toBe(false);
  });

  it('shows a range when dynamic batching runs several at once, and what Stop batch ended', () => {
    let b = fold(startBatch(['a', 'b', 'c', 'd', 'e']), [started('a'), started('b'), { type: 'node:progress', runId: 'c', nodeId: 'k', step: 1, total: 9 }])!;
    expect(describeBatch(b)).toBe('runs 1–3 of 5 · 2 queued');
    expect(activeRunIds(b)).toEqual(['a', 'b', 'c', 'd', 'e']);
    b = fold(b, [finished('a')])!;
    expect(describeBatch(b)).toBe('runs 2–3 of 5 · 2 queued');
    // Clear queue took the waiting ones: the running runs keep their numbers.
    const cleared = fold(b, [cancelled('d'), cancelled('e')])!;
    expect(describeBatch(cleared)).toBe('runs 2–3 of 5');
    expect(activeRunIds(b)).toEqual(['b', 'c', 'd', 'e']);
    b = fold(b, ['b', 'c', 'd', 'e'].map(cancelled))!;
    expect(describeBatch(b)).toBe('5 runs: 1 succeeded, 4 cancelled');
    expect(activeRunIds(b)).toEqual([]);
  });

  it('ignores other runs, keeps an end final, and takes missed ends from a runs.list poll', () => {
    const b = startBatch(['r1', 'r2']);
    expect(reduceBatch(b, started('other'))).toBe(b);
    const ended = fold(b, [cancelled('r1'), { type: 'node:progress', runId: 'r1', nodeId: 'k', step: 2, total: 9 }])!;
    expect(ended.status.r1).toBe('cancelled');
    // A poll's "queued" does not undo a start it overtook; its end is taken.
    const going = fold(b, [started('r2')]);
    const polled = applyStatuses(going, [{ id: 'r2', status: 'queued' }, { id: 'r1', status: 'succeeded' }, { id: 'x', status: 'failed' }])!;
    expect(polled.status).toEqual({ r1: 'succeeded', r2: 'running' });
    expect(describeBatch(polled)).toBe('run 2 of 2');
  });

  it('says nothing for a single run or no press', () => {
    expect(describeBatch(startBatch(['r1']))).toBeNull();
    expect(describeBatch(null)).toBeNull();
    expect(reduceBatch(null, started('r1'))).toBeNull();
    expect(batchActive(null)).toBe(false);
  });
});
