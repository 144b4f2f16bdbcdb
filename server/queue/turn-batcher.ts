// Rows handed over within one turn of the event loop, or while the previous group was being written, go out in one
// statement. A batch of 16 runs ends within the same few milliseconds: one statement per row made the web process's
// database work grow with the batch while the worker's did not (NodeResultWriter, the recorder's artifact rows).

interface Pending<T> {
  item: T;
  resolve(): void;
  reject(e: unknown): void;
}

export class TurnBatcher<T> {
  private pending: Pending<T>[] = [];
  private running = false;

  /** `flush` writes one group; if it throws, every item of that group is refused with its error. */
  constructor(private readonly flush: (items: T[]) => Promise<void>) {}

  /** Resolves once the item's group is written. */
  add(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      // The next turn, not now: messages that came in one read of a worker's pipe join this group.
      if (!this.running) {
        this.running = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const group = this.pending;
      this.pending = [];
      try {
        await this.flush(group.map((p) => p.item));
        for (const p of group) p.resolve();
      } catch (e) {
        for (const p of group) p.reject(e);
      }
    }
    this.running = false;
  }
}
