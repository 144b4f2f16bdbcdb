// The sprites U-Net against a float64 JavaScript evaluation of the closed-form denoiser.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listInitializers, readModel } from '../onnx/model-io';
import { OnnxRuntime, type ModelSession } from '../runtime/onnx';
import { createNoise } from '../sampling/noise';
import { spriteDictionary } from './dictionary';
import { SPRITES, type Sprite } from './sprites';
import { slotOf, TEXT_SLOTS } from './text-encoder';
import { buildUnet } from './unet';

const D = 4 * 32 * 32;
const C = TEXT_SLOTS.width;
const SEQ = 77;

// SD's scaled_linear table, written out here rather than taken from the pack.
function alphaBar(t: number): number {
  const at = (n: number) => {
    let acc = 1;
    for (let i = 0; i <= n; i++) acc *= 1 - (Math.sqrt(0.00085) + (i / 999) * (Math.sqrt(0.012) - Math.sqrt(0.00085))) ** 2;
    return acc;
  };
  const t0 = Math.floor(t);
  return t0 >= 999 ? at(999) : at(t0) + (at(t0 + 1) - at(t0)) * (t - t0);
}

type Named = Partial<Pick<Sprite, 'shape' | 'color' | 'background'>>;

/** Hidden states with one token per named attribute, each carrying `weight` (emphasis). */
function context(named: Named, weight = 1): Float32Array {
  const h = new Float32Array(SEQ * C);
  let token = 1;
  if (named.shape) h[token++ * C + slotOf.shape(named.shape)] = weight;
  if (named.color) h[token++ * C + slotOf.shapeColor(named.color)] = weight;
  if (named.background) h[token * C + slotOf.backgroundColor(named.background)] = weight;
  return h;
}

/** Sprite cell of element k of a [4, 32·scale, 32·scale] latent: the sprites drawn `scale` times larger. */
function cellOf(k: number, scale: number): number {
  const side = 32 * scale;
  const c = Math.floor(k / (side * side));
  const y = Math.floor(k / side) % side;
  const x = k % side;
  return c * 32 * 32 + Math.floor(y / scale) * 32 + Math.floor(x / scale);
}

/** eps_hat of the closed-form denoiser, float64: softmax over sprites (drawn `scale` times larger) of likelihood + prior. */
function referenceEps(x: Float32Array, t: number, named: Named, weight: number, scale = 1): Float64Array {
  const { latents, count } = spriteDictionary();
  const a = alphaBar(t);
  const n = D * scale * scale;
  const logits = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    let dist = 0;
    for (let k = 0; k < n; k++) dist += (x[k] - Math.sqrt(a) * latents[i * D + cellOf(k, scale)]) ** 2;
    const s = SPRITES[i];
    const misses = (['shape', 'color', 'background'] as const).filter((key) => named[key] && named[key] !== s[key]).length;
    logits[i] = -dist / (2 * (1 - a)) - 12 * weight * misses;
  }
  const max = Math.max(...logits);
  const w = logits.map((l) => Math.exp(l - max));
  const z = w.reduce((p, v) => p + v, 0);
  const eps = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let x0 = 0;
    for (let i = 0; i < count; i++) if (w[i] > 0) x0 += (w[i] / z) * latents[i * D + cellOf(k, scale)];
    eps[k] = (x[k] - Math.sqrt(a) * x0) / Math.sqrt(1 - a);
  }
  return eps;
}

let rt: OnnxRuntime;
let unet: ModelSession;
let bytes: Uint8Array;

beforeAll(async () => {
  rt = new OnnxRuntime({ provider: 'cpu', intraOpThreads: 2, budgetBytes: 1 << 30 });
  bytes = buildUnet().toBytes();
  unet = await rt.session('unet', { bytes });
});

afterAll(async () => {
  await rt.dispose();
});

/** A noisy sprite at timestep t, drawn `scale` times larger: sqrt(a) y + sqrt(1 - a) noise. */
function noisy(sprite: number, t: number, seed: number, scale = 1): Float32Array {
  const { latents } = spriteDictionary();
  const a = alphaBar(t);
  const n = createNoise(seed).randn(D * scale * scale);
  return Float32Array.from(n, (v, k) => Math.sqrt(a) * latents[sprite * D + cellOf(k, scale)] + Math.sqrt(1 - a) * v);
}

describe('sprites U-Net', () => {
  const cases = [
    { t: 999, sprite: 10, named: {}, weight: 1 },
    { t: 850, sprite: 200, named: { shape: 'star' }, weight: 1 },
    { t: 700.5, sprite: 33, named: { shape: 'circle', color: 'red', background: 'blue' }, weight: 1 },
    { t: 500, sprite: 400, named: { color: 'green' }, weight: 1.5 },
    { t: 260.25, sprite: 500, named: { shape: 'heart', background: 'navy' }, weight: 1 },
    { t: 15, sprite: 600, named: { color: 'white' }, weight: 1 },
  ] satisfies { t: number; sprite: number; named: Named; weight: number }[];

  it('predicts the closed-form eps at several timesteps, in one batch with per-item timesteps and prompts', async () => {
    const x = new Float32Array(cases.length * D);
    const ctx = new Float32Array(cases.length * SEQ * C);
    cases.forEach((c, b) => {
      x.set(noisy(c.sprite, c.t, b + 1), b * D);
      ctx.set(context(c.named, c.weight), b * SEQ * C);
    });
    const out = await unet.run({
      sample: { data: x, dims: [cases.length, 4, 32, 32] },
      timestep: { data: Float32Array.from(cases, (c) => c.t), dims: [cases.length] },
      encoder_hidden_states: { data: ctx, dims: [cases.length, SEQ, C] },
    });
    expect(out.out_sample.dims).toEqual([cases.length, 4, 32, 32]);
    const got = out.out_sample.data as Float32Array;
    cases.forEach((c, b) => {
      const ref = referenceEps(x.subarray(b * D, (b + 1) * D), c.t, c.named, c.weight);
      let worst = 0;
      for (let k = 0; k < D; k++) worst = Math.max(worst, Math.abs(got[b * D + k] - ref[k]) / Math.max(1, Math.abs(ref[k])));
      expect(worst, `t=${c.t}`).toBeLessThan(1e-4);
    });
  });

  it('at low noise the prediction recovers the sprite exactly: x - sqrt(1-a) eps = sqrt(a) y', async () => {
    const t = 40, sprite = 123;
    const x = noisy(sprite, t, 9);
    const out = await unet.run({
      sample: { data: x, dims: [1, 4, 32, 32] },
      timestep: { data: Float32Array.of(t), dims: [1] },
      encoder_hidden_states: { data: context({}), dims: [1, SEQ, C] },
    });
    const eps = out.out_sample.data as Float32Array;
    const a = alphaBar(t);
    const y = spriteDictionary().latents.subarray(sprite * D, (sprite + 1) * D);
    for (let k = 0; k < D; k += 97) expect((x[k] - Math.sqrt(1 - a) * eps[k]) / Math.sqrt(a)).toBeCloseTo(y[k], 4);
  });

  it('is the exact denoiser of the sprites drawn twice as large on a 64x64 latent (512x512 images)', async () => {
    const c = { t: 600, sprite: 77, named: { shape: 'square' }, weight: 1 } satisfies { t: number; sprite: number; named: Named; weight: number };
    const x = noisy(c.sprite, c.t, 5, 2);
    const out = await unet.run({
      sample: { data: x, dims: [1, 4, 64, 64] },
      timestep: { data: Float32Array.of(c.t), dims: [1] },
      encoder_hidden_states: { data: context(c.named), dims: [1, SEQ, C] },
    });
    expect(out.out_sample.dims).toEqual([1, 4, 64, 64]);
    const got = out.out_sample.data as Float32Array;
    const ref = referenceEps(x, c.t, c.named, c.weight, 2);
    let worst = 0;
    for (let k = 0; k < ref.length; k++) worst = Math.max(worst, Math.abs(got[k] - ref[k]) / Math.max(1, Math.abs(ref[k])));
    expect(worst).toBeLessThan(1e-4);
  });

  it('names its weights the way the demo LoRA and the loader expect', () => {
    const info = listInitializers(readModel(bytes));
    const convOut = info.find((i) => i.name === 'conv_out.weight')!;
    expect(convOut.dims).toEqual([4, 4, 1, 1]);
    expect(convOut.consumers).toEqual([{ nodeName: '/conv_out/Conv', opType: 'Conv', inputIndex: 1 }]);
    expect(info.find((i) => i.name === 'mid_block.sprites.weight')!.dims).toEqual([SPRITES.length, D]);
    expect(unet.inputs.map((i) => [i.name, i.type])).toEqual([['sample', 'float32'], ['timestep', 'float32'], ['encoder_hidden_states', 'float32']]);
  });
});
