// The precision (fp32, fp16, int8...) of each model the picker lists: a checkpoint's is its U-Net's (or transformer's), an ONNX
// file's its own. Read from the file's graph without its weights and remembered per file version, so listing
// a models folder stays cheap for the web process (which must not load onnxruntime: this does not).
import fs from 'node:fs';
import path from 'node:path';
import { detectPrecision, type Precision } from '../onnx/precision/detect';
import type { ModelKind, ModelStore } from './models';

export type { Precision } from '../onnx/precision/detect';

const cache = new Map<string, { version: string; precision: Precision | undefined }>();

function fileOf(store: ModelStore, kind: ModelKind, name: string): string | undefined {
  if (kind === 'loras') return undefined; // a LoRA patches whatever precision its base has
  try {
    const resolved = store.resolve(kind, name);
    if (kind !== 'checkpoints') return resolved;
    // SD3/Flux-style folders have transformer/ where SD has unet/.
    const unet = path.join(resolved, 'unet', 'model.onnx');
    return fs.existsSync(unet) ? unet : path.join(resolved, 'transformer', 'model.onnx');
  } catch {
    return undefined;
  }
}

export function modelPrecision(store: ModelStore, kind: ModelKind, name: string): Precision | undefined {
  const file = fileOf(store, kind, name);
  const stat = file ? fs.statSync(file, { throwIfNoEntry: false }) : undefined;
  if (!file || !stat?.isFile()) return undefined;
  const version = `${stat.size}:${stat.mtimeMs}`;
  const hit = cache.get(file);
  if (hit?.version === version) return hit.precision;
  const precision = detectPrecision(file);
  cache.set(file, { version, precision });
  return precision;
}

/** name -> precision for the names of one kind that have one. */
export function precisionByName(store: ModelStore, kind: ModelKind, names: readonly string[]): Record<string, Precision> {
  const out: Record<string, Precision> = {};
  for (const name of names) {
    const p = modelPrecision(store, kind, name);
    if (p) out[name] = p;
  }
  return out;
}
