// Runs one task per key at a time and keeps only the newest of those waiting: when a batch of 16 runs of one workflow
// ends together, its library card is made twice (the first and the last), not 16 times, and each caller still
// returns only once a card at least as new as its own is set.

interface Waiting {
  task: () => Promise<void>;
  done: Promise<void>;
  resolve(): void;
  reject(e: unknown): void;
}

interface Slot {
  next?: Waiting;
}

export class LatestOnly {
  private readonly slots = new Map<string, Slot>();

  /** Resolves when `task`, or a newer task given for the same key while it waited, has finished. */
  run(key: string, task: () => Promise<void>): Promise<void> {
    const slot = this.slots.get(key);
    if (!slot) {
      const fresh: Slot = {};
      this.slots.set(key, fresh);
      return this.start(key, fresh, task);
    }
    if (slot.next) {
      // The waiting task is superseded: its callers now wait for this one.
      slot.next.task = task;
      return slot.next.done;
    }
    let resolve!: () => void;
    let reject!: (e: unknown) => void;
    const done = new Promise<void>((res, rej) => { resolve = res; reject = rej; });
    slot.next = { task, done, resolve, reject };
    return done;
  }

  private async start(key: string, slot: Slot, task: () => Promise<void>): Promise<void> {
    try {
      await task();
    } finally {
      const next = slot.next;
      slot.next = undefined;
      if (next) this.start(key, slot, next.task).then(next.resolve, next.reject);
      else this.slots.delete(key);
    }
  }
}
