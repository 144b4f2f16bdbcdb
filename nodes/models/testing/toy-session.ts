// A test file's toy checkpoint: written to a temp folder, loaded on a one-thread runtime, with "red" and "" encoded
// before the file's tests; runtime and folder go after them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { OnnxRuntime } from '../../runtime/onnx';
import type { ConditioningValue } from '../../values';
import { loadCheckpoint, type LoadedCheckpoint } from '../checkpoint';
import { writeToyCheckpoint } from './toy-checkpoint';

export interface ToySession {
  ck: LoadedCheckpoint;
  red: ConditioningValue;
  empty: ConditioningValue;
}

/** Registers the file's beforeAll/afterAll; `ready` gets the loaded checkpoint and prompts. */
export function withToyCheckpoint(tmpPrefix: string, ready: (t: ToySession) => void): void {
  let tmp: string;
  let runtime: OnnxRuntime;
  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), tmpPrefix));
    runtime = new OnnxRuntime({ provider: 'cpu', budgetBytes: 2 ** 30, intraOpThreads: 1, onWarning: () => undefined });
    const ck = await loadCheckpoint(runtime, writeToyCheckpoint(path.join(tmp, 'toy')));
    ready({ ck, red: await ck.clip.encode('red'), empty: await ck.clip.encode('') });
  });
  afterAll(async () => {
    await runtime.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  });
}
