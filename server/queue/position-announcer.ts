// Which queue-position changes become `run:position` events. Each dispatch moves every waiting run up one, so
// announcing every move costs O(n²) events for n queued runs (500 runs watched by 200 clients: 2.35 M deliveries,
// which slowed the whole queue). Runs near the head hear every move; further back, moves of a fifth or more, so a
// run hears O(log n) of them. The exact position stays in runs.get / runs.list and the socket join acknowledgement.

/** Positions up to this are announced at every change (what a queue panel shows as "next", "2nd", ...). */
export const EXACT_POSITIONS = 10;

export class PositionAnnouncer {
  private announced = new Map<string, number>();

  /**
   * Takes the new positions of every waiting run and returns the moves worth an event; runs no longer waiting
   * are forgotten. `known`: runs whose position the client just learned another way (run:queued carries it).
   */
  changes<T extends { position: number }>(positions: ReadonlyMap<string, T>, known: ReadonlySet<string> = new Set()): [string, T][] {
    const out: [string, T][] = [];
    const next = new Map<string, number>();
    for (const [runId, p] of positions) {
      const last = this.announced.get(runId);
      if (!known.has(runId) && worthAnnouncing(last, p.position)) {
        out.push([runId, p]);
        next.set(runId, p.position);
      } else {
        next.set(runId, known.has(runId) || last === undefined ? p.position : last);
      }
    }
    this.announced = next;
    return out;
  }
}

function worthAnnouncing(last: number | undefined, now: number): boolean {
  if (last === undefined) return true;
  if (now === last) return false;
  return now <= EXACT_POSITIONS || Math.abs(now - last) * 5 >= last;
}
