// Where the server listens: which HOST values stay on this machine, and the URL of the address actually bound.
import net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * True when HOST keeps the server reachable from this machine only. A name other than `localhost` could resolve
 * anywhere, so it counts as exposed (the safe side: AUTH=none then needs ALLOW_UNAUTHENTICATED=1).
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
  const ip = mapped ? mapped[1] : h;
  if (net.isIPv4(ip)) return ip.startsWith('127.');
  if (net.isIPv6(ip)) return new net.SocketAddress({ address: ip, family: 'ipv6' }).address === '::1';
  return false;
}

/** `http://<bound address>:<port>` (IPv6 in brackets), so the start-up log names what is really listening. */
export function boundUrl(address: AddressInfo): string {
  const host = address.family === 'IPv6' || address.address.includes(':') ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}
