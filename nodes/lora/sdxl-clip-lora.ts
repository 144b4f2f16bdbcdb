// A LoRA on SDXL's CLIP: lora_te1_ (text_encoder) modules merge into encoder 1, lora_te2_ (text_encoder_2) into
// encoder 2, each through the same merged-session cache as any text encoder; the refiner has encoder 2 only.
import { SdxlClip } from '../models/sdxl-clip';
import { applyLora, type LoraApplyContext } from './apply';
import type { LoraComponent } from './keys';
import type { MergeReport } from './merge';
import type { LoraStackEntry } from './merged-sessions';

export interface SdxlClipLoraResult {
  model: SdxlClip;
  /** One report per encoder that merged something, with the component and a name for warnings. */
  parts: { component: LoraComponent; what: string; report: MergeReport }[];
}

export async function applySdxlClipLora(ctx: LoraApplyContext, clip: SdxlClip, lora: LoraStackEntry): Promise<SdxlClipLoraResult> {
  const parts: SdxlClipLoraResult['parts'] = [];
  let first = clip.first;
  if (first) {
    const r = await applyLora(ctx, first, 'text_encoder', lora);
    first = r.model;
    if (r.report) parts.push({ component: 'text_encoder', what: 'text encoder 1 (CLIP-L)', report: r.report });
  }
  const r = await applyLora(ctx, clip.second, 'text_encoder_2', lora);
  if (r.report) parts.push({ component: 'text_encoder_2', what: 'text encoder 2 (OpenCLIP-G)', report: r.report });
  return { model: clip.withEncoders(first, r.model), parts };
}
