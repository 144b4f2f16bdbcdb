// End-to-end sampling on the pack's own ONNX models: text encoder -> U-Net (DDIM, CFG) -> VAE decoder,
// with the sampler written out here (diffusers DDIM, eta 0, "leading" timesteps, steps_offset 1).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnnxRuntime, type ModelSession } from '../runtime/onnx';
import { createNoise } from '../sampling/noise';
import { ClipTokenizer } from '../text';
import { buildRefiner } from './refiner';
import { classifySprite, type SpriteClass } from './sprites';
import { buildTextEncoder } from './text-encoder';
import { buildUnet } from './unet';
import { buildVaeDecoder } from './vae';

const STEPS = 20;
const CFG = 7.5;
const LATENT = 4 * 32 * 32;
const HIDDEN = 77 * 32;

// SD's scaled_linear schedule, computed here independently of the pack's table.
const ACP = (() => {
  const out: number[] = [];
  let acc = 1;
  for (let i = 0; i < 1000; i++) {
    const b = (Math.sqrt(0.00085) + (i / 999) * (Math.sqrt(0.012) - Math.sqrt(0.00085))) ** 2;
    out.push((acc *= 1 - b));
  }
  return out;
})();
const TIMESTEPS = Array.from({ length: STEPS }, (_, i) => (STEPS - 1 - i) * (1000 / STEPS) + 1); // 951 ... 1

let rt: OnnxRuntime;
let te: ModelSession, unet: ModelSession, refiner: ModelSession, decoder: ModelSession;
const tok = ClipTokenizer.fromOpenAiGz();

beforeAll(async () => {
  rt = new OnnxRuntime({ provider: 'cpu', intraOpThreads: 2, budgetBytes: 1 << 30 });
  te = await rt.session('te', { bytes: buildTextEncoder(tok).toBytes() });
  unet = await rt.session('unet', { bytes: buildUnet().toBytes() });
  refiner = await rt.session('refiner', { bytes: buildRefiner().toBytes() });
  decoder = await rt.session('vae', { bytes: buildVaeDecoder().toBytes() });
}, 60_000);

afterAll(async () => {
  await rt.dispose();
});

async function encodePrompt(prompt: string): Promise<Float32Array> {
  const ids = Int32Array.from(tok.encodeWeighted(prompt).chunks[0].ids);
  const out = await te.run({ input_ids: { data: ids, dims: [1, 77] } });
  return out.last_hidden_state.data as Float32Array;
}

interface Sampled {
  latent: Float32Array;
  sprite: SpriteClass;
}

/** DDIM with classifier-free guidance; `handoff` = step index from which the refiner denoises. */
async function sample(prompt: string, negative: string, seed: number, handoff = STEPS): Promise<Sampled> {
  const cond = await encodePrompt(prompt);
  const uncond = await encodePrompt(negative);
  const context = new Float32Array(2 * HIDDEN);
  context.set(uncond, 0);
  context.set(cond, HIDDEN);
  let x = createNoise(seed).randn(LATENT);
  for (let i = 0; i < STEPS; i++) {
    const t = TIMESTEPS[i];
    const model = i < handoff ? unet : refiner;
    const batch = new Float32Array(2 * LATENT);
    batch.set(x, 0);
    batch.set(x, LATENT);
    const out = await model.run({
      sample: { data: batch, dims: [2, 4, 32, 32] },
      timestep: { data: Float32Array.of(t, t), dims: [2] },
      encoder_hidden_states: { data: context, dims: [2, 77, 32] },
    });
    const e = out.out_sample.data as Float32Array;
    const a = ACP[t];
    const aPrev = t - 1000 / STEPS >= 0 ? ACP[t - 1000 / STEPS] : ACP[0];
    const next = new Float32Array(LATENT);
    for (let k = 0; k < LATENT; k++) {
      const eps = e[k] + CFG * (e[LATENT + k] - e[k]);
      const x0 = (x[k] - Math.sqrt(1 - a) * eps) / Math.sqrt(a);
      next[k] = Math.sqrt(aPrev) * x0 + Math.sqrt(1 - aPrev) * eps;
    }
    x = next;
  }
  const image = (await decoder.run({ latent_sample: { data: x, dims: [1, 4, 32, 32] } })).sample.data as Float32Array;
  const hwc = new Uint8Array(256 * 256 * 3);
  for (let c = 0; c < 3; c++) {
    for (let p = 0; p < 256 * 256; p++) hwc[p * 3 + c] = Math.round(Math.min(1, Math.max(0, image[c * 65536 + p] / 2 + 0.5)) * 255);
  }
  return { latent: x, sprite: classifySprite(hwc, 256, 256) };
}

describe('DDIM 20 steps, CFG 7.5 on the sprites checkpoint', () => {
  const cases = [
    { prompt: 'red circle on blue background', shape: 'circle', color: 'red', background: 'blue' },
    { prompt: 'blue circle on red background', shape: 'circle', color: 'blue', background: 'red' },
    { prompt: 'green star on navy background', shape: 'star', color: 'green', background: 'navy' },
    { prompt: 'yellow heart on gray background', shape: 'heart', color: 'yellow', background: 'gray' },
    { prompt: 'a white triangle on a black backdrop', shape: 'triangle', color: 'white', background: 'black' },
    { prompt: 'pink diamond on green background', shape: 'diamond', color: 'pink', background: 'green' },
    { prompt: 'green diamond on pink background', shape: 'diamond', color: 'green', background: null },
  ] as const;

  for (const c of cases) {
    it(`"${c.prompt}" gives exactly that sprite`, async () => {
      for (const seed of [1, 2]) {
        const { sprite } = await sample(c.prompt, '', seed);
        expect(sprite.shape).toBe(c.shape);
        expect(sprite.color).toBe(c.color);
        if (c.background) expect(sprite.background).toBe(c.background);
        expect(sprite.iou).toBe(1);
        expect(sprite.wrongCells).toBe(0);
        // DDIM's last step keeps sqrt(1 - alpha_bar[0]) ~ 0.03 of the noise: a few 8-bit levels per cell.
        expect(sprite.meanError).toBeLessThan(5);
        expect(sprite.maxError).toBeLessThanOrEqual(32);
      }
    });
  }
});

describe('seeds, negative prompts and the refiner', () => {
  const SEEDS = Array.from({ length: 20 }, (_, i) => 100 + i);

  it('"circle" varies with the seed, and some seeds give a red circle', async () => {
    const results = await Promise.all(SEEDS.map((seed) => sample('circle', '', seed)));
    for (const r of results) {
      expect(r.sprite.shape).toBe('circle');
      expect(r.sprite.wrongCells).toBe(0);
    }
    const distinct = new Set(results.map((r) => `${r.sprite.color}/${r.sprite.background}/${r.sprite.size}`));
    expect(distinct.size).toBeGreaterThanOrEqual(8);
    expect(results.filter((r) => r.sprite.color === 'red').length).toBeGreaterThan(0);
  });

  it('negative prompt "red" with prompt "circle": circles, none red, over 20 seeds', async () => {
    const results = await Promise.all(SEEDS.map((seed) => sample('circle', 'red', seed)));
    for (const r of results) {
      expect(r.sprite.shape).toBe('circle');
      expect(r.sprite.color).not.toBe('red');
      expect(r.sprite.wrongCells).toBe(0);
    }
  });

  it('the refiner finishing the last 30% from the U-Net latent gives the same sprite', async () => {
    for (const [prompt, seed] of [['red circle on blue background', 3], ['blue circle on red background', 4], ['star', 5], ['purple heart', 6]] as const) {
      const base = await sample(prompt, '', seed);
      const refined = await sample(prompt, '', seed, STEPS - 6);
      expect(refined.sprite).toMatchObject({ shape: base.sprite.shape, color: base.sprite.color, background: base.sprite.background, size: base.sprite.size, wrongCells: 0 });
      // float16 memory vs float32 dictionary: the final latents agree to ~1e-3.
      let maxDiff = 0;
      for (let k = 0; k < LATENT; k++) maxDiff = Math.max(maxDiff, Math.abs(refined.latent[k] - base.latent[k]));
      expect(maxDiff).toBeLessThan(5e-3);
    }
  });
});
