// One user's enqueues are written one group at a time (the quota's count and the rows it allows go together). A
// burst of 16 "Run" clicks used to pay for 16 quota counts, 16 inserts and 16 re-reads of the line, back to back,
// while the head of the line waited for them; now the requests that queued up behind a group are written as the next
// group, with one count, one insert and one read of the line (a database's group commit).
import type { KeySerialiser } from './queue';

export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** Writes one key's items together; answers each item in order (an item may fail alone). */
export type GroupWriter<I, O> = (key: string, items: I[]) => Promise<Settled<O>[]>;

export class GroupCommit<I, O> {
  /** Items waiting for the next group of their key (that group's task is already queued on the serialiser). */
  private readonly waiting = new Map<string, { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[]>();

  constructor(private readonly serialiser: KeySerialiser, private readonly write: GroupWriter<I, O>) {}

  submit(key: string, item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      const open = this.waiting.get(key);
      if (open) {
        open.push({ item, resolve, reject });
        return;
      }
      const group = [{ item, resolve, reject }];
      this.waiting.set(key, group);
      this.serialiser.run(key, async () => {
        // The group closes when it may be written: whoever arrived while the previous group was written joins it,
        // and so does whoever the event loop reads in one more turn. Without that turn a burst was written one by
        // one anyway: the writes never wait for I/O (better-sqlite3 answers at once), so requests already sent were
        // only read once the group before them was done.
        await new Promise((r) => setImmediate(r));
        this.waiting.delete(key);
        try {
          const results = await this.write(key, group.map((g) => g.item));
          group.forEach((g, i) => (results[i].ok ? g.resolve(results[i].value) : g.reject(results[i].error)));
        } catch (e) {
          for (const g of group) g.reject(e);
        }
      }).catch((e: unknown) => {
        // The serialiser itself failed (scaled mode: the Redis lock timed out): this group was not written.
        if (this.waiting.get(key) === group) this.waiting.delete(key);
        for (const g of group) g.reject(e);
      });
    });
  }
}
