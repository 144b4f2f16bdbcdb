// The production build is rebuilt when a file it is made from changes: every runtime import the app makes
// outside app/ and nodes/ must be among the watched sources, or `npm start` would serve a stale bundle.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SOURCES } from './next-build';
import { projectRoot } from './paths';

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : /\.tsx?$/.test(e.name) && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

describe('next build sources', () => {
  it('cover every non-type import of the app from outside app/ and nodes/', () => {
    const outside = new Set<string>();
    for (const file of files(path.join(projectRoot, 'app'))) {
      for (const m of fs.readFileSync(file, 'utf8').matchAll(/^import (?!type )[^;]*? from '(\.[^']+)';/gm)) {
        const target = path.relative(projectRoot, path.resolve(path.dirname(file), m[1]));
        if (!target.startsWith('app') && !target.startsWith('nodes')) outside.add(`${target}.ts`);
      }
    }
    expect(outside.size).toBeGreaterThan(0);
    for (const f of outside) expect(SOURCES, f).toContain(f);
  });
});
