// The tiny SD3 and Flux checkpoints written to a temporary models folder and loaded once, for the test files that
// check them (tiny-sd3.test.ts, t5.test.ts); `copy` makes a variant folder to break on purpose.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadCheckpoint, type LoadedCheckpoint } from '../../models/checkpoint';
import { OnnxRuntime } from '../../runtime/onnx';
import { TINY_FLUX_CHECKPOINT, writeTinyFlux } from '../tiny-flux/part';
import { TINY_SD3_CHECKPOINT, writeTinySd3 } from './part';

export interface TinyFlow {
  models: string;
  runtime: OnnxRuntime;
  sd3: LoadedCheckpoint;
  flux: LoadedCheckpoint;
  /** A copy of the checkpoint folder `from` (relative to `models`) as checkpoints/<name>; returns its path. */
  copy(from: string, name: string): string;
  close(): Promise<void>;
}

export async function openTinyFlow(prefix: string): Promise<TinyFlow> {
  const models = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  await writeTinySd3(models);
  await writeTinyFlux(models);
  const runtime = new OnnxRuntime({ provider: 'cpu', budgetBytes: 2 ** 30, intraOpThreads: 1, onWarning: () => undefined });
  return {
    models, runtime,
    sd3: await loadCheckpoint(runtime, path.join(models, TINY_SD3_CHECKPOINT), 'tiny-sd3'),
    flux: await loadCheckpoint(runtime, path.join(models, TINY_FLUX_CHECKPOINT), 'tiny-flux'),
    copy(from, name) {
      const dir = path.join(models, 'checkpoints', name);
      fs.cpSync(path.join(models, from), dir, { recursive: true });
      return dir;
    },
    async close() {
      await runtime.dispose();
      fs.rmSync(models, { recursive: true, force: true });
    },
  };
}
