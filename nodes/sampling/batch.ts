// Dynamic batching of sampling loops: runs a worker took together (a "group") meet at their samplers, and those
// whose loops can share model calls (same model, size, sampler, schedule, steps, CFG, window — the batch key) run
// as one batched loop. Each run keeps its own scheduler, noise, seed, hooks and cancel: it only shares the U-Net call.
import { throwIfCancelled } from '../engine/errors';
import { guidedOutputs, type Denoiser } from './guidance';
import { runCursor, type LoopCursor, type LoopResult } from './loop';

/** How a sampler's loop ran: in a batch of `size` runs, or alone and why. */
export interface BatchOutcome {
  size: number;
  reason?: string;
}

export interface BatchedLoop {
  result: LoopResult;
  outcome: BatchOutcome;
}

/** What a sampler node sees: hand over a ready cursor, get its result when the (batched) loop ends. */
export interface LoopBatch {
  join(key: string, cursor: LoopCursor): Promise<BatchedLoop>;
}

interface Waiting {
  key: string;
  cursor: LoopCursor;
  resolve(r: BatchedLoop | Promise<BatchedLoop>): void;
  reject(e: unknown): void;
}

interface Member {
  runId: string;
  /** running: executing nodes (or a loop); waiting: at a sampler; gone: ended, or left batching (debugger). */
  state: 'running' | 'waiting' | 'gone';
  waiting?: Waiting;
}

/**
 * The runs dispatched to a worker together. A member at a sampler waits until every other live member is at a
 * sampler too (or has ended), then the waiting members are grouped by key; no timer is needed because the group
 * is known. A member the debugger wants to pause leaves the batch and continues alone from where it is.
 */
export class BatchGroup {
  private readonly members = new Map<string, Member>();

  constructor(runIds: readonly string[]) {
    for (const runId of runIds) this.members.set(runId, { runId, state: 'running' });
  }

  has(runId: string): boolean {
    return this.members.has(runId);
  }

  /** The run's handle for its sampler nodes. */
  member(runId: string): LoopBatch {
    return { join: (key, cursor) => this.join(runId, key, cursor) };
  }

  /** The run ended (any way): the others stop waiting for it. */
  leave(runId: string): void {
    const m = this.members.get(runId);
    if (!m || m.state === 'gone') return;
    m.state = 'gone';
    this.flushIfReady();
  }

  private join(runId: string, key: string, cursor: LoopCursor): Promise<BatchedLoop> {
    const m = this.members.get(runId);
    if (!m || m.state === 'gone') return solo(cursor, 'it left its batch (debugger)');
    return new Promise<BatchedLoop>((resolve, reject) => {
      const signal = cursor.hooks.signal;
      const onAbort = () => {
        if (m.waiting?.cursor !== cursor) return;
        m.waiting = undefined;
        m.state = 'running';
        try {
          throwIfCancelled(signal);
        } catch (e) {
          reject(e);
        }
        this.flushIfReady();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => signal?.removeEventListener('abort', onAbort);
      m.state = 'waiting';
      m.waiting = {
        key, cursor,
        resolve: (r) => { done(); resolve(r); },
        reject: (e) => { done(); reject(e); },
      };
      if (signal?.aborted) onAbort();
      else this.flushIfReady();
    });
  }

  private flushIfReady(): void {
    const live = [...this.members.values()].filter((m) => m.state !== 'gone');
    if (live.length === 0 || live.some((m) => m.state === 'running')) return;
    const byKey = new Map<string, Member[]>();
    for (const m of live) {
      const list = byKey.get(m.waiting!.key);
      if (list) list.push(m);
      else byKey.set(m.waiting!.key, [m]);
    }
    for (const group of byKey.values()) {
      const waiting = group.map((m) => {
        const w = m.waiting!;
        m.waiting = undefined;
        m.state = 'running';
        return { member: m, ...w };
      });
      if (waiting.length === 1) {
        const why = live.length === 1 ? 'the other runs of its batch had ended' : 'no other run of its batch had the same model, size and sampler settings';
        waiting[0].resolve(solo(waiting[0].cursor, why));
      } else {
        void runBatchedLoop(waiting.map((w) => ({
          cursor: w.cursor, resolve: w.resolve, reject: w.reject,
          detach: () => { w.member.state = 'gone'; this.flushIfReady(); },
        })));
      }
    }
  }
}

async function solo(cursor: LoopCursor, reason: string): Promise<BatchedLoop> {
  return { result: await runCursor(cursor), outcome: { size: 1, reason } };
}

interface Entry {
  cursor: LoopCursor;
  resolve(r: BatchedLoop | Promise<BatchedLoop>): void;
  reject(e: unknown): void;
  /** The run leaves batching for good (it continues alone). */
  detach(): void;
}

/**
 * Several cursors in lockstep (equal keys mean equal timesteps): one guided model call per step for all of them,
 * then each advances by its own scheduler. A cancelled run drops out with its cancellation; a run the debugger
 * would pause before this step continues alone (runCursor pauses it there); the rest go on.
 */
export async function runBatchedLoop(entries: Entry[]): Promise<void> {
  const size = entries.length;
  const denoiser: Denoiser = entries[0].cursor.o.denoiser;
  let live = entries;
  try {
    while (live.length > 0) {
      live = live.filter((e) => {
        const c = e.cursor;
        if (c.done) {
          e.resolve({ result: c.result(), outcome: { size } });
        } else if (c.hooks.signal?.aborted) {
          try {
            throwIfCancelled(c.hooks.signal);
          } catch (err) {
            e.reject(err);
          }
        } else if (c.hooks.holdsStep?.(c.step)) {
          e.detach();
          e.resolve(solo(c, 'the debugger paused it, so it left its batch'));
        } else {
          return true;
        }
        return false;
      });
      if (live.length === 0) break;
      const inputs = live.map((e) => e.cursor.modelInput());
      const outs = await guidedOutputs(denoiser, live.map((e, i) => ({ sample: inputs[i], guidance: e.cursor.o.guidance })), live[0].cursor.timestep);
      const after = live.map((e, i) => e.cursor.advance(inputs[i], outs[i].output));
      await Promise.all(live.map((e, i) => e.cursor.hooks.afterStep?.(after[i])));
      for (const e of live) e.cursor.next();
    }
  } catch (err) {
    for (const e of live) e.reject(err);
  }
}
