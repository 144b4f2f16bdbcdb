// Turns a merged ModelProto into something ONNX Runtime can load. Patched weights were made inline by the
// merge; untouched ones may still live in the base model's side file (diffusers' unet/weights.pb), which
// keeps resolving when the bytes load with externalDataDir = the base folder. Protobuf cannot encode 2 GB,
// so when the inline weights outgrow that, they move to a temporary side file in the base folder itself
// (ONNX Runtime refuses external data outside the model's folder, symlinks included).
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { writeModel, type ModelProto } from '../onnx/model-io';
import { onnx, type TensorProto } from '../onnx/proto';

/** Below protobuf's 2 GiB message limit, with room for the graph itself. */
export const DEFAULT_INLINE_LIMIT = 1.8 * 2 ** 30;
const ALIGN = 64;

export class MergedModelError extends Error {
  readonly code = 'lora_merge';
  constructor(readonly folder: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MergedModelError';
  }
}

export interface MergedModelSource {
  bytes: Uint8Array;
  /** Folder the model's external data locations resolve against; undefined when it has none. */
  externalDataDir?: string;
  /** Model plus side-file bytes, for the session budget. */
  bytesHint: number;
  /** Removes the temporary side file (call once the session is created: ORT has read or mapped the data). */
  cleanup(): void;
}

function isExternal(t: TensorProto): boolean {
  return t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL;
}

function locationOf(t: TensorProto): string | undefined {
  return t.externalData?.find((e) => e.key === 'location')?.value ?? undefined;
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

export function serialiseMerged(model: ModelProto, baseDir: string, opts: { inlineLimitBytes?: number } = {}): MergedModelSource {
  const tensors = (model.graph?.initializer ?? []) as TensorProto[];
  const locations = [...new Set(tensors.filter(isExternal).map(locationOf).filter((l): l is string => !!l))];
  const sideBytes = locations.reduce((n, l) => n + fileSize(path.resolve(baseDir, l)), 0);
  const inline = tensors.reduce((n, t) => n + (t.rawData?.byteLength ?? 0), 0);
  if (inline <= (opts.inlineLimitBytes ?? DEFAULT_INLINE_LIMIT)) {
    const bytes = writeModel(model);
    return { bytes, externalDataDir: locations.length ? baseDir : undefined, bytesHint: bytes.byteLength + sideBytes, cleanup: () => {} };
  }
  const name = `.stepflow-lora-${process.pid}-${randomBytes(6).toString('hex')}.bin`;
  const file = path.join(baseDir, name);
  const cleanup = () => fs.rmSync(file, { force: true });
  let fd: number;
  try {
    fd = fs.openSync(file, 'w');
  } catch (e) {
    throw new MergedModelError(baseDir, `cannot write the merged LoRA weights next to the model in ${baseDir} ` +
      `(${(e as Error).message}); the merged model is over 2 GB, so it needs a side file there: make the folder writable`, { cause: e });
  }
  let offset = 0;
  try {
    for (const t of tensors) {
      const raw = t.rawData;
      if (!raw || raw.byteLength < 1024) continue;
      offset = Math.ceil(offset / ALIGN) * ALIGN;
      fs.writeSync(fd, raw, 0, raw.byteLength, offset);
      t.externalData = [
        { key: 'location', value: name },
        { key: 'offset', value: String(offset) },
        { key: 'length', value: String(raw.byteLength) },
      ] as TensorProto['externalData'];
      t.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
      t.rawData = new Uint8Array(0);
      offset += raw.byteLength;
    }
    fs.closeSync(fd);
    const bytes = writeModel(model);
    return { bytes, externalDataDir: baseDir, bytesHint: bytes.byteLength + sideBytes + offset, cleanup };
  } catch (e) {
    try { fs.closeSync(fd); } catch { /* already closed */ }
    cleanup();
    throw e;
  }
}
