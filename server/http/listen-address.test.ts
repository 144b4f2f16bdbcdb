import { describe, expect, it } from 'vitest';
import { boundUrl, isLoopbackHost } from './listen-address';

describe('isLoopbackHost', () => {
  it('keeps loopback addresses and localhost on this machine', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', 'app.localhost', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']) {
      expect([h, isLoopbackHost(h)]).toEqual([h, true]);
    }
  });

  it('counts wildcards, LAN addresses and other names as exposed', () => {
    for (const h of ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'fe80::1', '::ffff:10.0.0.1', 'stepflow.example.com', '128.0.0.1']) {
      expect([h, isLoopbackHost(h)]).toEqual([h, false]);
    }
  });
});

describe('boundUrl', () => {
  it('names the bound address, IPv6 in brackets', () => {
    expect(boundUrl({ address: '127.0.0.1', family: 'IPv4', port: 3000 })).toBe('http://127.0.0.1:3000');
    expect(boundUrl({ address: '::', family: 'IPv6', port: 41234 })).toBe('http://[::]:41234');
  });
});
