// Runs one task per key at a time and keeps only the newest of those waiting: when a batch of 16 runs of one workflow
// ends together, its library card is made twice (the first and the last), not 16 times, and each caller still
// returns only once a card at least as new as its own is set. Preview pruning shares its passes the same way.

interface Waiting<T> {
  task: () => Promise<T>;
  done: Promise<T>;
  resolve(value: T): void;
  reject(e: unknown): void;
}

interface Slot<T> {
  next?: Waiting<T>;
}

export class LatestOnly<T = void> {
  private readonly slots = new Map<string, Slot<T>>();

  /** Resolves with what `task`, or a newer task given for the same key while it waited, returned. */
  run(key: string, task: () => Promise<T>): Promise<T> {
    const slot = this.slots.get(key);
    if (!slot) {
      const fresh: Slot<T> = {};
      this.slots.set(key, fresh);
      return this.start(key, fresh, task);
    }
    if (slot.next) {
      // The waiting task is superseded: its callers now wait for this one.
      slot.next.task = task;
      return slot.next.done;
    }
    let resolve!: (value: T) => void;
    let reject!: (e: unknown) => void;
    const done = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
    slot.next = { task, done, resolve, reject };
    return done;
  }

  private async start(key: string, slot: Slot<T>, task: () => Promise<T>): Promise<T> {
    try {
      return await task();
    } finally {
      const next = slot.next;
      slot.next = undefined;
      if (next) this.start(key, slot, next.task).then(next.resolve, next.reject);
      else this.slots.delete(key);
    }
  }
}
