import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  encodeSafetensors, parseSafetensors, readSafetensors, readSafetensorsHeader, SafetensorsError, writeSafetensors, MAX_HEADER_BYTES,
} from './safetensors';

/** A file assembled by hand from the format's definition, independent of the writer. */
function handMade(header: unknown, data: Uint8Array, headerLength?: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.byteLength + data.byteLength);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength ?? json.byteLength), true);
  out.set(json, 8);
  out.set(data, 8 + json.byteLength);
  return out;
}

function bytes(...arrays: ArrayBufferView[]): Uint8Array {
  const parts = arrays.map((a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}

function error(fn: () => unknown): SafetensorsError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SafetensorsError);
    return e as SafetensorsError;
  }
  throw new Error('expected a SafetensorsError');
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-st-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('reading', () => {
  it('decodes F32, F16 (0x3c00 = 1, 0xc000 = -2), BF16 (0x3fc0 = 1.5) and F64 into float32', () => {
    const f32 = Float32Array.of(0.25, -3);
    const f16 = Uint16Array.of(0x3c00, 0xc000);
    const bf16 = Uint16Array.of(0x3fc0);
    const f64 = Float64Array.of(0.1);
    const file = parseSafetensors(handMade({
      __metadata__: { format: 'pt' },
      w: { dtype: 'F32', shape: [2, 1], data_offsets: [0, 8] },
      h: { dtype: 'F16', shape: [2], data_offsets: [8, 12] },
      b: { dtype: 'BF16', shape: [], data_offsets: [12, 14] },
      d: { dtype: 'F64', shape: [1], data_offsets: [14, 22] },
    }, bytes(f32, f16, bf16, f64)), 'hand.safetensors');
    expect(file.names()).toEqual(['w', 'h', 'b', 'd']);
    expect(file.metadata).toEqual({ format: 'pt' });
    expect(file.entry('w').shape).toEqual([2, 1]);
    expect([...file.float32('w')]).toEqual([0.25, -3]);
    expect([...file.float32('h')]).toEqual([1, -2]);
    expect([...file.float32('b')]).toEqual([1.5]);
    expect(file.float32('d')[0]).toBeCloseTo(0.1, 7);
  });

  it('refuses integer tensors as weights, naming the tensor and dtype', () => {
    const file = parseSafetensors(handMade({ steps: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)), 'x.safetensors');
    const e = error(() => file.float32('steps'));
    expect(e.tensor).toBe('steps');
    expect(e.message).toMatch(/x\.safetensors, tensor "steps": holds I64/);
  });
});

describe('validation', () => {
  const good = () => handMade({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, new Uint8Array(8));

  it('rejects a header length larger than the file', () => {
    const e = error(() => parseSafetensors(handMade({}, new Uint8Array(0), 5000), 'big.safetensors'));
    expect(e.file).toBe('big.safetensors');
    expect(e.message).toMatch(/header length 5000 runs past the end/);
  });

  it('rejects a header length above the sane bound', () => {
    const b = good();
    new DataView(b.buffer).setBigUint64(0, BigInt(MAX_HEADER_BYTES) + 1n, true);
    expect(error(() => parseSafetensors(b)).message).toMatch(/exceeds/);
  });

  it('rejects files shorter than the length field', () => {
    expect(error(() => parseSafetensors(new Uint8Array(5), 'tiny')).message).toMatch(/too short/);
  });

  it('names the tensor whose data runs past a truncated file', () => {
    const full = encodeSafetensors({ a: { shape: [2], data: Float32Array.of(1, 2) }, b: { shape: [4], data: new Float32Array(4) } });
    const e = error(() => parseSafetensors(full.subarray(0, full.byteLength - 3), 'cut.safetensors'));
    expect(e.tensor).toBe('b');
    expect(e.message).toMatch(/run past the 21-byte data section/);
  });

  it('rejects a size that disagrees with shape x dtype', () => {
    const e = error(() => parseSafetensors(handMade({ a: { dtype: 'F16', shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8))));
    expect(e.tensor).toBe('a');
    expect(e.message).toMatch(/needs 6 bytes but data_offsets span 8/);
  });

  it('rejects overlapping tensors', () => {
    const e = error(() => parseSafetensors(handMade({
      a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
    }, new Uint8Array(8))));
    expect(e.message).toMatch(/overlap tensor "a"/);
  });

  it('rejects unknown dtypes, bad shapes, bad offsets, non-JSON headers and non-string metadata', () => {
    expect(error(() => parseSafetensors(handMade({ a: { dtype: 'F33', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)))).message).toMatch(/unknown dtype "F33"/);
    expect(error(() => parseSafetensors(handMade({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4)))).message).toMatch(/shape/);
    expect(error(() => parseSafetensors(handMade({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 0] } }, new Uint8Array(4)))).message).toMatch(/end before/);
    expect(error(() => parseSafetensors(handMade({ __metadata__: { epoch: 3 } }, new Uint8Array(0)))).message).toMatch(/must be a string/);
    const notJson = handMade({}, new Uint8Array(0));
    notJson[8] = 0x5b; // '['... no longer an object
    expect(error(() => parseSafetensors(notJson)).message).toMatch(/JSON/);
  });
});

describe('writing', () => {
  it('round-trips F32, F16 and BF16 with metadata, header padded to 8 bytes', () => {
    const file = path.join(dir, 'rt.safetensors');
    writeSafetensors(file, {
      'lora_unet_conv_out.lora_up.weight': { shape: [4, 1, 1, 1], data: Float32Array.of(1, 2, 3, 4) },
      'lora_unet_conv_out.lora_down.weight': { shape: [1, 4, 1, 1], data: Float32Array.of(0.5, -0.5, 0.25, 65504), dtype: 'F16' },
      'lora_unet_conv_out.alpha': { shape: [], data: Float32Array.of(1), dtype: 'BF16' },
    }, { ss_network_dim: '1' });
    const raw = fs.readFileSync(file);
    const headerLength = Number(raw.readBigUInt64LE(0));
    expect(headerLength % 8).toBe(0);
    const st = readSafetensors(file);
    expect(st.names().sort()).toEqual(['lora_unet_conv_out.alpha', 'lora_unet_conv_out.lora_down.weight', 'lora_unet_conv_out.lora_up.weight']);
    expect(st.entry('lora_unet_conv_out.lora_down.weight').dtype).toBe('F16');
    expect([...st.float32('lora_unet_conv_out.lora_down.weight')]).toEqual([0.5, -0.5, 0.25, 65504]);
    expect([...st.float32('lora_unet_conv_out.lora_up.weight')]).toEqual([1, 2, 3, 4]);
    expect([...st.float32('lora_unet_conv_out.alpha')]).toEqual([1]);
    expect(st.metadata).toEqual({ ss_network_dim: '1' });
    expect(readSafetensorsHeader(file).entries.get('lora_unet_conv_out.alpha')?.shape).toEqual([]);
    // Same input, same bytes: the pack's checksum depends on it.
    expect(Buffer.from(encodeSafetensors({ a: { shape: [1], data: Float32Array.of(1) } }))
      .equals(Buffer.from(encodeSafetensors({ a: { shape: [1], data: Float32Array.of(1) } })))).toBe(true);
  });

  it('refuses values that do not fill the shape', () => {
    expect(error(() => encodeSafetensors({ a: { shape: [3], data: new Float32Array(2) } })).message).toMatch(/needs 3/);
  });

  it('reports a missing file as a SafetensorsError', () => {
    expect(error(() => readSafetensors(path.join(dir, 'nope.safetensors'))).message).toMatch(/cannot read/);
  });
});
