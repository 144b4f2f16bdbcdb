// The client address of a request, for per-IP limits and logs. TRUST_PROXY=0 (default): the TCP peer, whatever
// X-Forwarded-For says (anyone can write that header). TRUST_PROXY=N: N proxies of ours stand in front, each
// appending the address it saw, so the client is the N-th entry from the right; entries further left were written
// by the client itself and are never believed.
import type http from 'node:http';
import net from 'node:net';

/** `::ffff:1.2.3.4` (IPv4 on a dual-stack socket) → `1.2.3.4`; `1.2.3.4:5678` / `[::1]:80` lose the port. */
function normalise(raw: string): string | null {
  let a = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(a);
  if (bracketed) a = bracketed[1];
  else if (/^[\d.]+:\d+$/.test(a)) a = a.slice(0, a.lastIndexOf(':'));
  if (a.toLowerCase().startsWith('::ffff:') && net.isIPv4(a.slice(7))) a = a.slice(7);
  return net.isIP(a) ? a.toLowerCase() : null;
}

export function clientIp(req: Pick<http.IncomingMessage, 'headers' | 'socket'>, trustedProxies: number): string {
  const peer = normalise(req.socket.remoteAddress ?? '') ?? 'unknown';
  if (trustedProxies <= 0) return peer;
  const header = req.headers['x-forwarded-for'];
  const entries = (Array.isArray(header) ? header.join(',') : header ?? '').split(',').map((e) => e.trim()).filter(Boolean);
  // No header: the request did not come through the proxy (a local health check, say).
  if (!entries.length) return peer;
  // Fewer entries than proxies: the left-most is the farthest hop anyone vouched for.
  const chosen = entries[Math.max(0, entries.length - trustedProxies)];
  // A garbled entry can only come from a misconfigured proxy; the peer is still a real address.
  return normalise(chosen) ?? peer;
}
