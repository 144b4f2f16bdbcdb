// LoRA Loader: merges a LoRA from models/loras into the U-Net (and the text encoder when CLIP is wired).
import { defineNode, param } from '../../define';
import { NodeInputError } from '../../engine/errors';
import { applyLora, describeIssues, isLoraPatchable, summariseLoraFile } from '../../lora/apply';
import { addFit, fitFromReport, loraFitWarning, type LoraFit } from '../../lora/fit';
import { applySdxlClipLora } from '../../lora/sdxl-clip-lora';
import { SdxlClip } from '../../models/sdxl-clip';
import type { ClipModel, UNetModel } from '../../values';

export const loraLoader = defineNode({
  type: 'lora_loader',
  version: 1,
  title: 'LoRA Loader',
  category: 'loaders',
  description: 'Merges a LoRA (.safetensors with kohya, diffusers or PEFT key names) from models/loras into the model ' +
    'and text-encoder weights: W += strength · alpha/rank · up·down. Chain several loaders to stack LoRAs.',
  aliases: ['LoRA', 'LoRA Model Loader'],
  inputs: {
    model: { type: 'MODEL' },
    clip: { type: 'CLIP', optional: true, description: 'leave unconnected to patch only the U-Net' },
  },
  params: {
    lora_name: param.model('loras', { default: 'sprites-palette.safetensors', label: 'LoRA' }),
    strength_model: param.float({ default: 1, min: -4, max: 4, step: 0.05, label: 'model strength' }),
    strength_clip: param.float({ default: 1, min: -4, max: 4, step: 0.05, label: 'CLIP strength' }),
  },
  outputs: {
    model: { type: 'MODEL', description: 'the U-Net running the merged weights' },
    clip: { type: 'CLIP', description: 'the text encoder running the merged weights (only when CLIP is connected)' },
  },
  files: (p, { models }) => [models.resolve('loras', p.lora_name)],
  async execute(ctx, inputs, p) {
    const name = p.lora_name;
    const file = ctx.models.resolve('loras', name);
    const { model, clip } = inputs;
    const summary = summariseLoraFile(file);
    if (!summary.modules.unet && !summary.modules.text_encoder && !summary.modules.text_encoder_2) {
      ctx.warn(`LoRA "${name}" has no U-Net or text-encoder modules this loader can apply` +
        (summary.unrecognised.length ? ` (${summary.unrecognised.length} keys not understood, e.g. ${summary.unrecognised[0]})` : '') +
        '; the model is unchanged');
    }
    if (!isLoraPatchable<UNetModel>(model)) {
      throw new NodeInputError('lora_unsupported_model', `model "${model.name}" cannot take a LoRA (its loader does not expose its ONNX weights)`, 'model');
    }
    const unet = await applyLora(ctx, model, 'unet', { name, file, strength: p.strength_model });
    if (unet.report) for (const w of describeIssues(unet.report, name, 'the U-Net')) ctx.warn(w);
    let fit: LoraFit = unet.report ? fitFromReport(unet.report, name, summary.modules.unet ?? 0) : { applied: 0, total: 0 };
    // One run-level line per loader: the layers it tried across the components it patched, and how many took.
    const reportFit = () => {
      const warning = loraFitWarning(name, model.name, fit);
      if (warning) ctx.runWarning(warning);
    };

    if (!clip) {
      reportFit();
      const te = (summary.modules.text_encoder ?? 0) + (summary.modules.text_encoder_2 ?? 0);
      if (te) ctx.log(`LoRA "${name}": ${te} text-encoder module(s) not applied (no CLIP connected)`);
      // The clip output then carries nothing; a node reading it gets no text encoder.
      return { model: unet.model, clip: undefined as unknown as ClipModel };
    }
    if (clip instanceof SdxlClip) {
      // SDXL: lora_te1_ and lora_te2_ modules, one encoder each.
      const sdxl = await applySdxlClipLora(ctx, clip, { name, file, strength: p.strength_clip });
      for (const [i, part] of sdxl.parts.entries()) {
        for (const w of describeIssues(part.report, name, part.what, { unrecognised: !unet.report && i === 0 })) ctx.warn(w);
        fit = addFit(fit, fitFromReport(part.report, name, summary.modules[part.component] ?? 0));
      }
      reportFit();
      return { model: unet.model, clip: sdxl.model };
    }
    if (!isLoraPatchable<ClipModel>(clip)) {
      throw new NodeInputError('lora_unsupported_model', `text encoder "${clip.name}" cannot take a LoRA (its loader does not expose its ONNX weights)`, 'clip');
    }
    const te = await applyLora(ctx, clip, 'text_encoder', { name, file, strength: p.strength_clip });
    // Keys not understood are listed once, with the U-Net's issues when that merge ran.
    if (te.report) for (const w of describeIssues(te.report, name, 'the text encoder', { unrecognised: !unet.report })) ctx.warn(w);
    if (te.report) fit = addFit(fit, fitFromReport(te.report, name, summary.modules.text_encoder ?? 0));
    reportFit();
    return { model: unet.model, clip: te.model };
  },
});
