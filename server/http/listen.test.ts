// Start-up on the network: the default host, the address the server reports, and the refusal of AUTH=none on a network.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../paths';
import { startTestServer, tempDir, type TestServer } from '../testing/harness';

describe('default listening address', () => {
  let t: TestServer;
  let dir: string;
  beforeAll(async () => {
    dir = tempDir('listen');
    // No HOST: the default must keep the server on this machine; PORT=0 picks a free port.
    t = await startTestServer(dir, { WORKERS: '1' });
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('binds 127.0.0.1 and reports the real address and port', async () => {
    const address = t.server.httpServer.address() as AddressInfo;
    expect(address.address).toBe('127.0.0.1');
    expect(address.port).toBeGreaterThan(0);
    expect(t.server.url).toBe(`http://127.0.0.1:${address.port}`);
    expect((await fetch(`${t.server.url}/api/health`)).status).toBe(200);
  });
});

describe('npm start with AUTH=none on a network address', () => {
  it('refuses to start and names AUTH=local and ALLOW_UNAUTHENTICATED=1', () => {
    const dir = tempDir('exposed');
    try {
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
        cwd: projectRoot,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, HOST: '0.0.0.0', PORT: '0', DATA_DIR: dir, NODE_ENV: 'test' },
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('HOST: with AUTH=none (no accounts)');
      expect(r.stderr).toContain('set AUTH=local');
      expect(r.stderr).toContain('ALLOW_UNAUTHENTICATED=1');
      expect(r.stderr).toContain('(got "0.0.0.0")');
      // Nothing was created: it stopped before migrating or listening.
      expect(fs.readdirSync(dir)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
