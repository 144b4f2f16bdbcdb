// Embedded mode needs nothing but itself: `npm start`'s server/main.ts, in a network namespace where only loopback
// exists (no PostgreSQL, no Redis, no network at all), migrates its SQLite file, seeds the library, and runs the
// shipped txt2img to an output on its forked worker. Linux `unshare -n` (the tests run as root).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';
import { projectRoot } from './paths';

it('serves and runs a graph with no service reachable but loopback', () => {
  const probe = path.join(projectRoot, 'server', 'testing', 'embedded-probe.ts');
  const res = spawnSync('unshare', ['-n', 'sh', '-c', `ip link set lo up && exec "${process.execPath}" --import tsx "${probe}"`], {
    cwd: projectRoot, encoding: 'utf8', timeout: 120_000, env: { ...process.env, REDIS_URL: '', DATABASE_URL: '' },
  });
  const line = res.stdout.trim().split('\n').at(-1) ?? '';
  expect(res.status, `${res.stdout}\n${res.stderr}`).toBe(0);
  expect(JSON.parse(line)).toEqual({ status: 'succeeded', outputs: 1, database: true, seeded: expect.any(Number) });
  expect(JSON.parse(line).seeded).toBeGreaterThanOrEqual(5);
}, 150_000);
