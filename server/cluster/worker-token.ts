// WORKER_TOKEN: the shared secret a scaled-mode worker host presents to the API (server/cluster/worker-api.ts).
import crypto from 'node:crypto';

export function bearerMatches(header: string | string[] | undefined, token: string): boolean {
  const value = Array.isArray(header) ? header[0] : header;
  const m = /^Bearer\s+(\S+)$/i.exec(value?.trim() ?? '');
  if (!m) return false;
  // Compare digests: equal length, constant time, and the token's length is not revealed.
  const a = crypto.createHash('sha256').update(m[1]).digest();
  const b = crypto.createHash('sha256').update(token).digest();
  return crypto.timingSafeEqual(a, b);
}
