// The sprites VAE: an exact codec on images of flat 8x8 blocks, whose decoder is the linear latent_rgb map.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnnxRuntime, type ModelSession } from '../runtime/onnx';
import { COLOR_NAMES, COLORS, renderSprite, SPRITES } from './sprites';
import { buildVaeDecoder, buildVaeEncoder, latentOfColor, latentRgbProjection, spriteLatent } from './vae';

const HW = 256 * 256;
let rt: OnnxRuntime;
let encoder: ModelSession, decoder: ModelSession;

beforeAll(async () => {
  rt = new OnnxRuntime({ provider: 'cpu', intraOpThreads: 2, budgetBytes: 1 << 30 });
  encoder = await rt.session('enc', { bytes: buildVaeEncoder().toBytes() });
  decoder = await rt.session('dec', { bytes: buildVaeDecoder().toBytes() });
});

afterAll(async () => {
  await rt.dispose();
});

/** 8-bit HWC images -> NCHW in [-1, 1], the diffusers VAE input. */
function toSample(images: Uint8Array[]): Float32Array {
  const out = new Float32Array(images.length * 3 * HW);
  images.forEach((img, b) => {
    for (let p = 0; p < HW; p++) for (let c = 0; c < 3; c++) out[(b * 3 + c) * HW + p] = (img[p * 3 + c] / 255) * 2 - 1;
  });
  return out;
}

function toBytes(sample: Float32Array, b: number): Uint8Array {
  const out = new Uint8Array(3 * HW);
  for (let p = 0; p < HW; p++) {
    for (let c = 0; c < 3; c++) out[p * 3 + c] = Math.round(Math.min(1, Math.max(0, sample[(b * 3 + c) * HW + p] / 2 + 0.5)) * 255);
  }
  return out;
}

async function roundTrip(images: Uint8Array[]): Promise<{ latents: Float32Array; decoded: Uint8Array[] }> {
  const enc = await encoder.run({ sample: { data: toSample(images), dims: [images.length, 3, 256, 256] } });
  expect(enc.latent_sample.dims).toEqual([images.length, 4, 32, 32]);
  const dec = await decoder.run({ latent_sample: { data: enc.latent_sample.data as Float32Array, dims: [images.length, 4, 32, 32] } });
  expect(dec.sample.dims).toEqual([images.length, 3, 256, 256]);
  return { latents: enc.latent_sample.data as Float32Array, decoded: images.map((_, b) => toBytes(dec.sample.data as Float32Array, b)) };
}

describe('sprites VAE', () => {
  it('decode(encode(sprite)) is the sprite, every 8-bit value, for all sprites; the latents are the U-Net dictionary', async () => {
    const CHUNK = 53;
    for (let start = 0; start < SPRITES.length; start += CHUNK) {
      const batch = SPRITES.slice(start, start + CHUNK);
      const images = batch.map(renderSprite);
      const { latents, decoded } = await roundTrip(images);
      batch.forEach((s, b) => {
        expect(Buffer.compare(Buffer.from(decoded[b]), Buffer.from(images[b])), s.caption).toBe(0);
        const y = spriteLatent(s);
        let worst = 0;
        for (let k = 0; k < y.length; k++) worst = Math.max(worst, Math.abs(latents[b * y.length + k] - y[k]));
        expect(worst).toBeLessThan(2e-5);
      });
    }
  }, 60_000);

  it('round-trips any image of flat 8x8 blocks, also colours outside the palette', async () => {
    const img = new Uint8Array(3 * HW);
    let seed = 7;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) & 255;
    const cells = Array.from({ length: 32 * 32 }, () => [rand(), rand(), rand()]);
    for (let p = 0; p < HW; p++) img.set(cells[Math.floor(Math.floor(p / 256) / 8) * 32 + Math.floor((p % 256) / 8)], p * 3);
    const { decoded } = await roundTrip([img]);
    expect(Buffer.compare(Buffer.from(decoded[0]), Buffer.from(img))).toBe(0);
  });

  it('every palette colour has the same latent norm (root mean square 0.6 per channel)', () => {
    for (const c of COLOR_NAMES) expect(latentOfColor(c).reduce((a, v) => a + v * v, 0)).toBeCloseTo(4 * 0.36, 10);
    const distinct = new Set(COLOR_NAMES.map((c) => latentOfColor(c).map((v) => v.toFixed(3)).join()));
    expect(distinct.size).toBe(COLOR_NAMES.length);
  });

  it('latent_rgb (stepflow.json) maps each latent cell to its exact colour, as the decoder does', async () => {
    const { factors, bias } = latentRgbProjection();
    expect(factors.length).toBe(4);
    for (const name of COLOR_NAMES) {
      const z = latentOfColor(name);
      const rgb = [0, 1, 2].map((k) => bias[k] + z.reduce((a, v, c) => a + v * factors[c][k], 0));
      rgb.forEach((v, k) => expect(v * 255).toBeCloseTo(COLORS[name][k], 6));
    }
    // The decoder is the same linear map, expanded to 8x8 blocks.
    const z = new Float32Array(4 * 32 * 32);
    const probe = [0.3, -0.2, 0.5, 0.1];
    for (let c = 0; c < 4; c++) z.fill(probe[c], c * 1024, (c + 1) * 1024);
    const out = (await decoder.run({ latent_sample: { data: z, dims: [1, 4, 32, 32] } })).sample.data as Float32Array;
    for (let k = 0; k < 3; k++) {
      const expected = 2 * (bias[k] + probe.reduce((a, v, c) => a + v * factors[c][k], 0)) - 1;
      expect(out[k * HW + 12345]).toBeCloseTo(expected, 5);
    }
  });
});
