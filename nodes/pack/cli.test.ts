// `npm run models` as a process: usage, --check exit codes, and generation into --out.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../paths';
import { ensurePack } from './generate';

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-pack-cli-'));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout + r.stderr };
}

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('npm run models', () => {
  it('prints usage, and refuses unknown options with exit code 2', () => {
    expect(run('--help')).toMatchObject({ code: 0, out: expect.stringContaining('usage: npm run models') });
    expect(run('--bogus')).toMatchObject({ code: 2, out: expect.stringContaining('unknown argument "--bogus"') });
  });

  it('--check exits 1 for a missing pack and 0 for a generated one; a second run generates nothing', async () => {
    const dir = path.join(tmp, 'models');
    const missing = run('--check', '--out', dir);
    expect(missing.code).toBe(1);
    expect(missing.out).toContain('sprites-checkpoint: not generated yet');
    await ensurePack(dir);
    expect(run('--check', '--out', dir)).toMatchObject({ code: 0, out: expect.stringContaining('is up to date') });
    const again = run('--out', dir);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/model pack: up to date, nothing generated; \d+ files, [\d.]+ MB/);
  }, 120_000);
});
