// Dynamic batching: runs a worker took together (a "group") meet at their samplers, and those whose loops can share
// model calls (same model, size, sampler, schedule, steps, CFG, window — the batch key) run as one batched loop. Each
// run keeps its own scheduler, noise, seed, hooks and cancel: it only shares the U-Net call. Single model calls (VAE
// decode) meet the same way and run as one call.
import { throwIfCancelled } from '../engine/errors';
import { ContextMemo, guidedOutputs, type Denoiser } from './guidance';
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

/** What nodes see of their run's batch. */
export interface LoopBatch {
  /** A sampler: hand over a ready cursor, get its result when the (batched) loop ends. */
  join(key: string, cursor: LoopCursor): Promise<BatchedLoop>;
  /**
   * One model call: waits for batch-mates with the same key, then `many` runs once with every input of the group
   * (in a stable order) and returns one output per input. Alone, `many` gets just this input.
   */
  call<I, O>(key: string, input: I, many: (inputs: I[]) => Promise<O[]>, signal?: AbortSignal): Promise<O>;
  /** A sampler whose loop cannot be shared (an inpainting U-Net, a model with no batch key) says why: the run's details show it. */
  alone(outcome: BatchOutcome): void;
}

/** A member at a meeting point: a loop or a single call; `start` runs a group of same-key entries together. */
interface Waiting {
  key: string;
  signal?: AbortSignal;
  /** Runs these entries (this one among them, all with this key) together. */
  start(group: Waiting[], members: Member[], alone: string | undefined): void;
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

  /** `aloneReason`: why a group of one run was dispatched alone (the server's word), shown for its samplers. */
  constructor(runIds: readonly string[], private readonly aloneReason?: string) {
    for (const runId of runIds) this.members.set(runId, { runId, state: 'running' });
  }

  has(runId: string): boolean {
    return this.members.has(runId);
  }

  /** The run's handle for its sampler nodes. */
  member(runId: string): LoopBatch {
    return {
      join: (key, cursor) => this.join(runId, key, cursor),
      call: (key, input, many, signal) => this.call(runId, key, input, many, signal),
      // Its loop will not come to a meeting point, so batch-mates must not wait for it there. The outcome itself is
      // kept by the executor's wrapper (executor.ts), per node.
      alone: () => this.leave(runId),
    };
  }

  /** The run ended (any way), or left batching for good (the debugger holds it): the others stop waiting for it. */
  leave(runId: string): void {
    const m = this.members.get(runId);
    if (!m || m.state === 'gone') return;
    m.state = 'gone';
    this.flushIfReady();
  }

  private join(runId: string, key: string, cursor: LoopCursor): Promise<BatchedLoop> {
    return this.wait<BatchedLoop>(runId, key, cursor.hooks.signal, () => solo(cursor, 'it left its batch (debugger)'), (resolve) => ({
      cursor,
      start: (group, members, alone) => {
        if (alone) return resolve(solo(cursor, alone));
        const entries = group as (Waiting & { cursor: LoopCursor; resolve: typeof resolve })[];
        void runBatchedLoop(entries.map((w, i) => ({
          cursor: w.cursor, resolve: w.resolve, reject: w.reject,
          detach: () => this.leave(members[i].runId),
        })));
      },
      resolve,
    }));
  }

  private call<I, O>(runId: string, key: string, input: I, many: (inputs: I[]) => Promise<O[]>, signal?: AbortSignal): Promise<O> {
    const alone = async () => (await many([input]))[0];
    return this.wait<O>(runId, key, signal, alone, (resolve) => ({
      input,
      start: (group) => {
        const entries = group as (Waiting & { input: I; resolve: typeof resolve })[];
        many(entries.map((w) => w.input)).then(
          (outs) => entries.forEach((w, i) => w.resolve(outs[i])),
          (e) => entries.forEach((w) => w.reject(e)),
        );
      },
      resolve,
    }));
  }

  /**
   * Parks a member at a meeting point until the group is ready (flushIfReady). A member that left batching runs
   * `alone` at once; a cancel while waiting rejects it and lets the others go on.
   */
  private wait<T>(
    runId: string, key: string, signal: AbortSignal | undefined, alone: () => Promise<T>,
    entry: (resolve: (r: T | Promise<T>) => void, reject: (e: unknown) => void) => Omit<Waiting, 'key' | 'signal' | 'reject'> & Record<string, unknown>,
  ): Promise<T> {
    const m = this.members.get(runId);
    if (!m || m.state === 'gone') return alone();
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        if (m.waiting !== w) return;
        m.waiting = undefined;
        m.state = 'running';
        try {
          throwIfCancelled(signal);
        } catch (e) {
          reject(e);
        }
        this.flushIfReady();
      };
      const done = () => signal?.removeEventListener('abort', onAbort);
      const w: Waiting = {
        key, signal,
        ...entry((r) => { done(); resolve(r); }, (e) => { done(); reject(e); }),
        reject: (e) => { done(); reject(e); },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      m.state = 'waiting';
      m.waiting = w;
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
    for (const members of byKey.values()) {
      const group = members.map((m) => {
        const w = m.waiting!;
        m.waiting = undefined;
        m.state = 'running';
        return w;
      });
      const alone = group.length > 1 ? undefined
        : this.members.size === 1 && this.aloneReason ? this.aloneReason
          : live.length === 1 ? 'the other runs of its batch had ended'
          : 'no other run of its batch had the same model, size and sampler settings';
      group[0].start(group, members, alone);
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
  const contexts = new ContextMemo();
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
        } else if (c.hooks.breaksBefore?.(c.step)) {
          e.detach();
          e.resolve(solo(c, 'the debugger paused it, so it left its batch'));
        } else {
          return true;
        }
        return false;
      });
      if (live.length === 0) break;
      const inputs = live.map((e) => e.cursor.modelInput());
      const outs = await guidedOutputs(denoiser, live.map((e, i) => ({ sample: inputs[i], guidance: e.cursor.o.guidance })), live[0].cursor.timestep, undefined, contexts);
      const after = live.map((e, i) => e.cursor.advance(inputs[i], outs[i].output));
      await Promise.all(live.map((e, i) => e.cursor.hooks.afterStep?.(after[i])));
      for (const e of live) e.cursor.next();
    }
  } catch (err) {
    for (const e of live) e.reject(err);
  }
}
