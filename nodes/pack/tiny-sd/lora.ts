// A kohya-style LoRA for the tiny SD model: one random rank-4 module (float16, alpha 2) for every linear and
// conv layer of its U-Net and text encoder, 3x3 convs as LoCon ([r, in, 3, 3] down, [out, r, 1, 1] up).
import type { TensorToWrite } from '../../runtime/safetensors';
import { WeightRandom, type LoraModuleSpec } from './layers';

export const TINY_LORA_RANK = 4;
export const TINY_LORA_ALPHA = 2;

/** kohya's key prefix for a module: `lora_unet_down_blocks_0_..._to_q`, `lora_te_text_model_..._q_proj`. */
export function kohyaPrefix(component: 'unet' | 'text_encoder', modulePath: string): string {
  return `lora_${component === 'unet' ? 'unet' : 'te'}_${modulePath.replace(/\./g, '_')}`;
}

export function tinySdLoraTensors(modules: { unet: readonly LoraModuleSpec[]; textEncoder: readonly LoraModuleSpec[] }): Record<string, TensorToWrite> {
  return kohyaLoraTensors([
    ...modules.unet.map((m) => ({ prefix: kohyaPrefix('unet', m.path), module: m })),
    ...modules.textEncoder.map((m) => ({ prefix: kohyaPrefix('text_encoder', m.path), module: m })),
  ]);
}

/** Random rank-4 down/up/alpha tensors per module, under each module's kohya prefix (tiny SDXL: lora_te1_/lora_te2_). */
export function kohyaLoraTensors(modules: readonly { prefix: string; module: LoraModuleSpec }[]): Record<string, TensorToWrite> {
  const rng = new WeightRandom(0x10a4);
  const out: Record<string, TensorToWrite> = {};
  for (const { prefix, module: m } of modules) {
    const r = Math.min(TINY_LORA_RANK, m.inFeatures, m.outFeatures);
    const [kh, kw] = m.kernel ?? [1, 1];
    const downShape = m.kernel ? [r, m.inFeatures, kh, kw] : [r, m.inFeatures];
    const upShape = m.kernel ? [m.outFeatures, r, 1, 1] : [m.outFeatures, r];
    out[`${prefix}.lora_down.weight`] = { shape: downShape, data: rng.values(r * m.inFeatures * kh * kw, 0.2), dtype: 'F16' };
    out[`${prefix}.lora_up.weight`] = { shape: upShape, data: rng.values(m.outFeatures * r, 0.2), dtype: 'F16' };
    out[`${prefix}.alpha`] = { shape: [], data: Float32Array.of(TINY_LORA_ALPHA), dtype: 'F16' };
  }
  return out;
}
