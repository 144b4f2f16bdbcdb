// Apply ControlNet: attaches a ControlNet, its hint image, strength and step window to both conditionings
// (ComfyUI's ControlNetApplyAdvanced); the sampler runs it (nodes/sampling/controlnet.ts).
import { defineNode, param } from '../../define';
import { NodeInputError } from '../../engine/errors';
import type { ConditioningValue, ControlHint } from '../../values';

export const applyControlNet = defineNode({
  type: 'apply_controlnet',
  version: 1,
  title: 'Apply ControlNet',
  category: 'conditioning',
  description:
    'Steers sampling with a ControlNet and a hint image (e.g. Canny edges). strength scales its residuals; start/end ' +
    'percent (0 = the first, noisiest step) limit the steps it acts on. Needs a U-Net exported with residual inputs.',
  aliases: ['ControlNetApplyAdvanced', 'ControlNet'],
  inputs: {
    positive: { type: 'CONDITIONING' },
    negative: { type: 'CONDITIONING', optional: true, description: 'unwired: only the positive is steered (ComfyUI\'s ControlNetApply); leave the negative output unwired too' },
    control_net: { type: 'CONTROL_NET' },
    image: { type: 'IMAGE', description: 'the hint, brought to the latent size x8 (nearest)' },
  },
  params: {
    strength: param.float({ default: 1, min: 0, max: 10, step: 0.01 }),
    start_percent: param.float({ default: 0, min: 0, max: 1, step: 0.001, label: 'start percent' }),
    end_percent: param.float({ default: 1, min: 0, max: 1, step: 0.001, label: 'end percent' }),
  },
  outputs: { positive: { type: 'CONDITIONING' }, negative: { type: 'CONDITIONING' } },
  async execute(_ctx, { positive, negative, control_net, image }, p) {
    if (p.start_percent > p.end_percent) {
      throw new NodeInputError('param_invalid', `start_percent ${p.start_percent} is after end_percent ${p.end_percent}; the ControlNet would never act`, 'start_percent');
    }
    // One hint object on both sides: the sampler then runs it once per call for the uncond and cond rows together.
    const hint: ControlHint = { controlNet: control_net, image, strength: p.strength, start: p.start_percent, end: p.end_percent };
    const attach = (c: ConditioningValue): ConditioningValue => ({ ...c, control: [...(c.control ?? []), hint] });
    // Without a negative there is nothing to hand on: the output stays unset, as the input was.
    return { positive: attach(positive), negative: (negative && attach(negative)) as ConditioningValue };
  },
});
