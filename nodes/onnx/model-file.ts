// Writes an edited ModelProto to disk, optionally with its large initializers in a side file (the diffusers
// layout: unet/model.onnx + weights.pb), the way GraphBuilder.save does for graphs it builds.
import fs from 'node:fs';
import path from 'node:path';
import { readModel, writeModel } from './model-io';
import { onnx, type ModelProto } from './proto';

const EXTERNAL_ALIGN = 64;

export interface SaveModelOptions {
  /** Store inline initializers of at least `threshold` bytes (default 1024) in a side file named `location`. */
  externalData?: { location: string; threshold?: number };
}

export function saveModel(source: ModelProto, file: string, opts: SaveModelOptions = {}): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const side = opts.externalData;
  if (!side) {
    fs.writeFileSync(file, writeModel(source));
    return;
  }
  const model = readModel(writeModel(source)); // the caller's model keeps its inline weights
  const threshold = side.threshold ?? 1024;
  const chunks: { offset: number; bytes: Uint8Array }[] = [];
  let length = 0;
  for (const t of model.graph?.initializer ?? []) {
    const bytes = t.rawData;
    if (!bytes || bytes.byteLength < threshold || t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) continue;
    const offset = Math.ceil(length / EXTERNAL_ALIGN) * EXTERNAL_ALIGN;
    chunks.push({ offset, bytes });
    length = offset + bytes.byteLength;
    t.rawData = new Uint8Array(0);
    t.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
    t.externalData = [
      { key: 'location', value: side.location },
      { key: 'offset', value: String(offset) },
      { key: 'length', value: String(bytes.byteLength) },
    ];
  }
  const data = new Uint8Array(length);
  for (const c of chunks) data.set(c.bytes, c.offset);
  fs.writeFileSync(file, writeModel(model));
  fs.writeFileSync(path.join(path.dirname(file), side.location), data);
}
