// Password hashing with Node's scrypt at OWASP's cost (N=2^17, r=8, p=1), random 16-byte salt, 32-byte key,
// constant-time compare. Stored as `scrypt$N$r$p$<salt base64url>$<key base64url>`, so hashes of an older cost
// still verify and are re-hashed at the current cost on the next successful sign-in (needsRehash).
import crypto from 'node:crypto';

export const SCRYPT_COST = { N: 2 ** 17, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
// scrypt's working memory is 128·r·(N + p) bytes (128 MiB at the current cost); Node refuses anything above
// `maxmem` (32 MiB by default), so allow that plus headroom.
const maxmemFor = (n: number, r: number, p: number) => 128 * r * (n + p) + 16 * 1024 * 1024;

interface StoredHash {
  n: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

/** The stored string's parts, or null if it is not a hash this code made (or its cost is absurd). */
function parse(stored: string): StoredHash | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [n, r, p] = parts.slice(1, 4).map(Number);
  // A corrupt or hostile row must not make one sign-in allocate gigabytes.
  const sane = Number.isInteger(Math.log2(n)) && n >= 2 ** 10 && n <= 2 ** 20
    && Number.isInteger(r) && r >= 1 && r <= 32 && Number.isInteger(p) && p >= 1 && p <= 16;
  return sane ? { n, r, p, salt: Buffer.from(parts[4], 'base64url'), key: Buffer.from(parts[5], 'base64url') } : null;
}

/** Asynchronous: the hash runs on libuv's thread pool, so a sign-in never stalls the event loop. */
function derive(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    crypto.scrypt(password.normalize('NFC'), salt, KEY_BYTES, { N: n, r, p, maxmem: maxmemFor(n, r, p) }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashPassword(password: string): Promise<string> {
  const { N, r, p } = SCRYPT_COST;
  const salt = crypto.randomBytes(16);
  const key = await derive(password, salt, N, r, p);
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

let verifications = 0;
/** Password checks made by this process so far: tests prove with it that limited requests never reach scrypt. */
export function passwordVerifications(): number {
  return verifications;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  verifications++;
  const h = parse(stored);
  if (!h) return false;
  const key = await derive(password, h.salt, h.n, h.r, h.p);
  return key.length === h.key.length && crypto.timingSafeEqual(key, h.key);
}

/** True when a (verified) stored hash was made at another cost than today's: re-hash it while the password is at hand. */
export function needsRehash(stored: string): boolean {
  const h = parse(stored);
  return !h || h.n !== SCRYPT_COST.N || h.r !== SCRYPT_COST.r || h.p !== SCRYPT_COST.p || h.key.length !== KEY_BYTES;
}

/** Hash checked for unknown usernames, so "no such user" takes as long as "wrong password". */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  return (decoy ??= hashPassword(crypto.randomBytes(16).toString('hex')));
}
