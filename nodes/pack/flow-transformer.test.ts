// The flow-matching sprites transformer against a float64 JavaScript evaluation of the exact rectified-flow
// velocity over the sprite set: x_s = (1 - s)·y + s·eps, v = (x - E[y | x]) / s.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnnxRuntime, type ModelSession } from '../runtime/onnx';
import { createNoise } from '../sampling/noise';
import { spriteDictionary } from './dictionary';
import { buildFlowTransformer } from './flow-transformer';
import { SPRITES, type Sprite } from './sprites';
import { slotOf, TEXT_SLOTS } from './text-encoder';

const D = 4 * 32 * 32;
const C = TEXT_SLOTS.width;
const SEQ = 77;

type Named = Partial<Pick<Sprite, 'shape' | 'color' | 'background'>>;

function context(named: Named): Float32Array {
  const h = new Float32Array(SEQ * C);
  let token = 1;
  if (named.shape) h[token++ * C + slotOf.shape(named.shape)] = 1;
  if (named.color) h[token++ * C + slotOf.shapeColor(named.color)] = 1;
  if (named.background) h[token * C + slotOf.backgroundColor(named.background)] = 1;
  return h;
}

/** Posterior over sprites from the Gaussian likelihood N(x; (1 - s) y_i, s² I) and the text prior (-12 per miss). */
function referenceVelocity(x: Float32Array, s: number, named: Named): Float64Array {
  const { latents, count } = spriteDictionary();
  const logits = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    let dist = 0;
    for (let k = 0; k < D; k++) dist += (x[k] - (1 - s) * latents[i * D + k]) ** 2;
    const sp = SPRITES[i];
    const misses = (['shape', 'color', 'background'] as const).filter((key) => named[key] && named[key] !== sp[key]).length;
    logits[i] = -dist / (2 * s * s) - 12 * misses;
  }
  const max = Math.max(...logits);
  const w = logits.map((l) => Math.exp(l - max));
  const z = w.reduce((p, v) => p + v, 0);
  const v = new Float64Array(D);
  for (let k = 0; k < D; k++) {
    let x0 = 0;
    for (let i = 0; i < count; i++) if (w[i] > 0) x0 += (w[i] / z) * latents[i * D + k];
    v[k] = (x[k] - x0) / s;
  }
  return v;
}

let rt: OnnxRuntime;
let model: ModelSession;

beforeAll(async () => {
  rt = new OnnxRuntime({ provider: 'cpu', intraOpThreads: 2, budgetBytes: 1 << 30 });
  model = await rt.session('flow', { bytes: buildFlowTransformer().toBytes() });
});
afterAll(async () => {
  await rt.dispose();
});

function noisy(sprite: number, s: number, seed: number): { x: Float32Array; eps: Float32Array } {
  const { latents } = spriteDictionary();
  const eps = createNoise(seed).randn(D);
  return { x: Float32Array.from(eps, (e, k) => (1 - s) * latents[sprite * D + k] + s * e), eps };
}

describe('flow-matching sprites transformer', () => {
  it('has the SD3 transformer interface Optimum exports', () => {
    expect(model.inputs.map((i) => [i.name, i.type])).toEqual([
      ['hidden_states', 'float32'], ['encoder_hidden_states', 'float32'], ['pooled_projections', 'float32'], ['timestep', 'float32'],
    ]);
    expect(model.outputs.map((o) => o.name)).toEqual(['out_hidden_states']);
  });

  const cases = [
    { s: 1, sprite: 10, named: {} },
    { s: 0.9, sprite: 200, named: { shape: 'star' } },
    { s: 0.6, sprite: 33, named: { shape: 'circle', color: 'red', background: 'blue' } },
    { s: 0.35, sprite: 400, named: { color: 'green' } },
    { s: 0.05, sprite: 600, named: { color: 'white' } },
  ] satisfies { s: number; sprite: number; named: Named }[];

  it('predicts the exact velocity at several noise levels, per-item timesteps (sigma x 1000) and prompts in one batch', async () => {
    const x = new Float32Array(cases.length * D);
    const ctx = new Float32Array(cases.length * SEQ * C);
    cases.forEach((c, b) => {
      x.set(noisy(c.sprite, c.s, b + 1).x, b * D);
      ctx.set(context(c.named), b * SEQ * C);
    });
    const out = await model.run({
      hidden_states: { data: x, dims: [cases.length, 4, 32, 32] },
      encoder_hidden_states: { data: ctx, dims: [cases.length, SEQ, C] },
      pooled_projections: { data: new Float32Array(cases.length * C).fill(3), dims: [cases.length, C] },
      timestep: { data: Float32Array.from(cases, (c) => c.s * 1000), dims: [cases.length] },
    });
    const got = out.out_hidden_states.data as Float32Array;
    cases.forEach((c, b) => {
      const ref = referenceVelocity(x.subarray(b * D, (b + 1) * D), c.s, c.named);
      let worst = 0;
      for (let k = 0; k < D; k++) worst = Math.max(worst, Math.abs(got[b * D + k] - ref[k]) / Math.max(1, Math.abs(ref[k])));
      expect(worst, `s=${c.s}`).toBeLessThan(1e-4);
    });
  });

  it('at low noise the velocity is eps - y of the sprite the sample came from', async () => {
    const s = 0.02, sprite = 123;
    const { x, eps } = noisy(sprite, s, 9);
    const out = await model.run({
      hidden_states: { data: x, dims: [1, 4, 32, 32] },
      encoder_hidden_states: { data: context({}), dims: [1, SEQ, C] },
      pooled_projections: { data: new Float32Array(C), dims: [1, C] },
      timestep: { data: Float32Array.of(s * 1000), dims: [1] },
    });
    const v = out.out_hidden_states.data as Float32Array;
    const y = spriteDictionary().latents.subarray(sprite * D, (sprite + 1) * D);
    for (let k = 0; k < D; k += 97) expect(v[k]).toBeCloseTo(eps[k] - y[k], 3);
  });
});
