// Input image names resolve inside the input folders only, and an unknown name is reported as just that: no
// folder paths, no list of the other files there (they may be other people's uploads).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NodeInputError } from '../engine/errors';
import { InputStore } from './inputs';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-inputs-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('InputStore.resolve', () => {
  it('finds a file by name and says only "unknown" for one it does not have', () => {
    fs.writeFileSync(path.join(root, 'someone-elses.png'), 'x');
    const store = new InputStore([root]);
    expect(store.resolve('someone-elses.png')).toBe(path.join(root, 'someone-elses.png'));
    let error: unknown;
    try {
      store.resolve('missing.png');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NodeInputError);
    expect((error as NodeInputError).code).toBe('input_file_not_found');
    expect((error as Error).message).toBe('input image "missing.png" is unknown');
  });
});
