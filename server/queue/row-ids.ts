// Row ids made by the web process, so a group of rows goes in one statement with nothing to read back, still sorted
// in the order made (for runs that matters: the queue's tie-break after queuedAt is the id). Same alphabet and length
// class as Prisma's cuid() (the columns' default, still used elsewhere): 'c', the time, a per-process counter, then randomness, all base 36.
import { randomBytes } from 'node:crypto';

let counter = 0;
const SEQ_SPACE = 36 ** 6;

function random36(chars: number): string {
  const bytes = randomBytes(chars);
  let s = '';
  for (const b of bytes) s += (b % 36).toString(36);
  return s;
}

/** `n` ids in increasing string order, after every id this process made before (within the same millisecond too). */
export function orderedIds(n: number): string[] {
  const time = Date.now().toString(36).padStart(9, '0');
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    counter = (counter + 1) % SEQ_SPACE;
    ids.push(`c${time}${counter.toString(36).padStart(6, '0')}${random36(10)}`);
  }
  return ids;
}
