// Password hashing with Node's scrypt: random 16-byte salt, N=2^15 r=8 p=1, 32-byte key, constant-time compare.
// Stored as `scrypt$N$r$p$<salt base64url>$<key base64url>` so the cost can be raised later without breaking old rows.
import crypto from 'node:crypto';

const N = 2 ** 15;
const R = 8;
const P = 1;
const KEY_BYTES = 32;
// scrypt needs 128·N·r bytes (32 MiB here); Node's default cap is exactly that, so leave headroom.
const MAX_MEM = 64 * 1024 * 1024;

function derive(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    crypto.scrypt(password.normalize('NFC'), salt, KEY_BYTES, { N: n, r, p, maxmem: MAX_MEM }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const key = await derive(password, salt, N, R, P);
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

let verifications = 0;
/** Password checks made by this process so far: tests prove with it that limited requests never reach scrypt. */
export function passwordVerifications(): number {
  return verifications;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  verifications++;
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = parts.slice(1, 4).map(Number);
  const expected = Buffer.from(parts[5], 'base64url');
  const key = await derive(password, Buffer.from(parts[4], 'base64url'), n, r, p);
  return key.length === expected.length && crypto.timingSafeEqual(key, expected);
}

/** Hash checked for unknown usernames, so "no such user" takes as long as "wrong password". */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  return (decoy ??= hashPassword(crypto.randomBytes(16).toString('hex')));
}
