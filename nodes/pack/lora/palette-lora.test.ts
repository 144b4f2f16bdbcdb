// The demo LoRA: its file, its merge into the real sprites U-Net, and the graded images the whole
// pipeline draws with it at strengths 0, 0.5 and 1.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Executor } from '../../engine/executor';
import { getInitializerFloat32, readModel } from '../../onnx/model-io';
import { OnnxRuntime } from '../../runtime/onnx';
import { ModelStore } from '../../runtime/models';
import { InputStore } from '../../runtime/inputs';
import { readSafetensors } from '../../runtime/safetensors';
import { loadLoraFile } from '../../lora/lora-file';
import { mergeLoras } from '../../lora/merge';
import { allNodes } from '../../models/testing/model-nodes';
import { loraLoader } from '../../defs/loaders/lora-loader';
import type { Tensor } from '../../runtime/tensor';
import { writeSpritesCheckpoint, SPRITES_CHECKPOINT } from '../checkpoint';
import { COLORS } from '../sprites/palette';
import { spriteCodec } from '../vae';
import { decodeGraded, gradedConvOut, gradeRgb, paletteMargin, PALETTE_GRADE } from './palette-lora';
import { SPRITES_PALETTE_LORA, writePaletteLora } from './part';

let models: string;
let runtime: OnnxRuntime;
beforeAll(async () => {
  models = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-palette-'));
  await writeSpritesCheckpoint(models);
  await writePaletteLora(models);
  runtime = new OnnxRuntime({ provider: 'cpu', budgetBytes: 2 ** 30, onWarning: () => undefined });
}, 120_000);
afterAll(async () => {
  await runtime.dispose();
  fs.rmSync(models, { recursive: true, force: true });
});

describe('sprites-palette.safetensors', () => {
  it('holds kohya keys for conv_out: rank 3, alpha 3', () => {
    const st = readSafetensors(path.join(models, SPRITES_PALETTE_LORA));
    expect(st.names().sort()).toEqual(['lora_unet_conv_out.alpha', 'lora_unet_conv_out.lora_down.weight', 'lora_unet_conv_out.lora_up.weight']);
    expect(st.entry('lora_unet_conv_out.lora_down.weight').shape).toEqual([3, 4, 1, 1]);
    expect(st.entry('lora_unet_conv_out.lora_up.weight').shape).toEqual([4, 3, 1, 1]);
    expect([...st.float32('lora_unet_conv_out.alpha')]).toEqual([3]);
  });

  it('merges into exactly conv_out.weight of the sprites U-Net (external weights.pb), as I + s·ΔW', () => {
    const unetDir = path.join(models, SPRITES_CHECKPOINT, 'unet');
    const model = readModel(fs.readFileSync(path.join(unetDir, 'model.onnx')));
    const report = mergeLoras(model, 'unet', [{ name: 'palette', strength: 0.5, lora: loadLoraFile(path.join(models, SPRITES_PALETTE_LORA)) }], unetDir);
    expect(report.patched).toEqual([{ initializer: 'conv_out.weight', node: '/conv_out/Conv', modules: ['palette: conv_out'] }]);
    expect(report.issues).toEqual([]);
    const w = getInitializerFloat32(model, 'conv_out.weight');
    gradedConvOut(0.5).flat().forEach((v, i) => expect(w[i]).toBeCloseTo(v, 6));
  });

  it('grades decoded colours by M about the palette mean, staying in gamut', () => {
    const { mean } = spriteCodec();
    for (const rgb of Object.values(COLORS)) {
      const p = rgb.map((v) => v / 255);
      const graded = decodeGraded(rgb, 1);
      // c + M (p - c), written out with the published matrix
      const expected = [0, 1, 2].map((r) => mean[r] + PALETTE_GRADE[r].reduce((acc, m, k) => acc + m * (p[k] - mean[k]), 0));
      expected.forEach((v, k) => expect(graded[k]).toBeCloseTo(v, 6));
      expect(Math.min(...graded)).toBeGreaterThan(0);
      expect(Math.max(...graded)).toBeLessThan(1);
      decodeGraded(rgb, 0.5).forEach((v, k) => expect(v).toBeCloseTo((p[k] + expected[k]) / 2, 6));
    }
  });

  it('keeps every graded palette latent nearest its own colour (so the sampler keeps its sprite)', () => {
    for (const s of [0.5, 0.75, 1]) expect(paletteMargin(s).margin, `strength ${s}`).toBeGreaterThan(0.1);
  });
});

describe('the sprites pipeline with the LoRA Loader', () => {
  const edge = (from: string, output: string, to: string, input: string) => ({ from: { node: from, output }, to: { node: to, input } });
  const graph = (strength: number, prompt: string) => ({
    version: 1,
    nodes: [
      { id: 'checkpoint', type: 'checkpoint_loader', params: { ckpt_name: 'sprites' } },
      { id: 'lora', type: 'lora_loader', params: { lora_name: 'sprites-palette.safetensors', strength_model: strength, strength_clip: strength } },
      { id: 'positive', type: 'text_encoder', params: { text: prompt } },
      { id: 'negative', type: 'text_encoder', params: { text: '' } },
      { id: 'latent', type: 'empty_latent', params: { width: 256, height: 256 } },
      { id: 'sampler', type: 'sampler', params: { seed: 7, steps: 20, cfg: 7.5, sampler: 'ddim' } },
      { id: 'decode', type: 'vae_decode', params: {} },
    ],
    edges: [
      edge('checkpoint', 'model', 'lora', 'model'), edge('checkpoint', 'clip', 'lora', 'clip'),
      edge('lora', 'clip', 'positive', 'clip'), edge('lora', 'clip', 'negative', 'clip'),
      edge('lora', 'model', 'sampler', 'model'), edge('positive', 'conditioning', 'sampler', 'positive'),
      edge('negative', 'conditioning', 'sampler', 'negative'), edge('latent', 'latent', 'sampler', 'latent'),
      edge('sampler', 'latent', 'decode', 'latent'), edge('checkpoint', 'vae', 'decode', 'vae'),
    ],
  });

  /** The centre colour of every 8x8 cell, 0-255. */
  function cellColours(image: Tensor): number[][] {
    const [, , h, w] = image.dims;
    const out: number[][] = [];
    for (let y = 4; y < h; y += 8) {
      for (let x = 4; x < w; x += 8) out.push([0, 1, 2].map((c) => image.data[(c * h + y) * w + x] * 255));
    }
    return out;
  }

  async function draw(strength: number, prompt: string): Promise<number[][]> {
    const executor = new Executor({ runtime, models: new ModelStore(models), inputs: new InputStore([]), nodes: allNodes([loraLoader]) });
    const warnings: string[] = [];
    const r = await executor.run(graph(strength, prompt), {
      runId: `palette-${strength}`, targets: ['decode'],
      onEvent: (e) => { if (e.type === 'node:warning') warnings.push(e.message); },
    });
    expect(r.error).toBeUndefined();
    expect(warnings).toEqual([]);
    return cellColours(r.values.get('decode')!.image as Tensor);
  }

  /**
   * Every cell is the graded shape or background colour. DDIM's last step leaves ~0.03 of noise in each
   * latent cell, about 4 8-bit levels (one sigma) after decoding even without a LoRA: cells get 24 levels
   * of slack, the mean over each region 3. Grading moves these colours by 25 to 70 levels.
   */
  function expectGraded(cells: number[][], strength: number, shape: keyof typeof COLORS, background: keyof typeof COLORS): void {
    const graded = (c: keyof typeof COLORS) => gradeRgb(COLORS[c].map((v) => v / 255), strength).map((v) => v * 255);
    const expected = { shape: graded(shape), background: graded(background) };
    const regions = { shape: [] as number[][], background: [] as number[][] };
    for (const cell of cells) {
      const dist = (e: number[]) => Math.max(...e.map((v, k) => Math.abs(v - cell[k])));
      const nearest = dist(expected.shape) < dist(expected.background) ? 'shape' : 'background';
      expect(dist(expected[nearest]), `strength ${strength}: cell ${cell.map(Math.round)} vs ${nearest} ${expected[nearest].map(Math.round)}`).toBeLessThan(24);
      regions[nearest].push(cell);
    }
    expect(regions.shape.length).toBeGreaterThan(40);
    expect(regions.background.length).toBeGreaterThan(500);
    for (const region of ['shape', 'background'] as const) {
      const mean = [0, 1, 2].map((k) => regions[region].reduce((acc, c) => acc + c[k], 0) / regions[region].length);
      mean.forEach((v, k) => expect(Math.abs(v - expected[region][k]), `strength ${strength}: mean ${region} ${mean.map(Math.round)}`).toBeLessThan(3));
    }
  }

  it('strength 0 leaves the palette alone, 1 grades it, 0.5 lands half-way', async () => {
    const prompt = 'red circle on navy background';
    const [none, half, full] = [await draw(0, prompt), await draw(0.5, prompt), await draw(1, prompt)];
    expectGraded(none, 0, 'red', 'navy');
    expectGraded(half, 0.5, 'red', 'navy');
    expectGraded(full, 1, 'red', 'navy');
    // Same seed, same sprite: cell by cell the half-strength image sits midway (the sampler's offsets cancel).
    half.forEach((cell, i) => cell.forEach((v, k) => expect(Math.abs(v - (none[i][k] + full[i][k]) / 2)).toBeLessThan(1.5)));
    expect(Math.max(...full.map((cell, i) => Math.max(...cell.map((v, k) => Math.abs(v - none[i][k])))))).toBeGreaterThan(40);
  });

  it('grades other colours the same way ("yellow star on black background")', async () => {
    expectGraded(await draw(1, 'yellow star on black background'), 1, 'yellow', 'black');
  });
});
