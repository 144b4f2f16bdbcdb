// Model Sampling SD3: a flow-matching MODEL with another static shift (ComfyUI's ModelSamplingSD3): its scheduler
// config gets `shift` (and loses use_dynamic_shifting, as ComfyUI's node sets one fixed shift on Flux models too).
import { defineNode, param } from '../../define';
import { NodeInputError } from '../../engine/errors';
import { isFlowMatchConfig } from '../../sampling/schedulers';
import type { UNetModel } from '../../values';

export const modelSamplingSd3 = defineNode({
  type: 'model_sampling_sd3',
  version: 1,
  title: 'Model Sampling SD3',
  category: 'sampling',
  description: 'Sets the flow-matching shift of an SD3/Flux-style model (SD3 ships 3.0); higher spends more steps at high noise.',
  aliases: ['ModelSamplingSD3', 'shift'],
  inputs: { model: { type: 'MODEL' } },
  params: {
    shift: param.float({ default: 3, min: 0.01, max: 100, step: 0.01 }),
  },
  outputs: { model: { type: 'MODEL' } },
  async execute(_ctx, { model }, p) {
    if (!isFlowMatchConfig(model.schedulerConfig)) {
      throw new NodeInputError('param_invalid', `model "${model.name}" is not a flow-matching model (its scheduler is ${String(model.schedulerConfig._class_name)}); shift applies to SD3/Flux-style checkpoints`, 'shift');
    }
    return { model: withSchedulerConfig(model, { ...model.schedulerConfig, shift: p.shift, use_dynamic_shifting: false }, `shift=${p.shift}`) };
  },
});

/**
 * The same model (same sessions and methods) with another scheduler config. Its batch key changes too: runs with
 * different shifts step through different timesteps and must not share model calls.
 */
function withSchedulerConfig(model: UNetModel, schedulerConfig: Record<string, unknown>, tag: string): UNetModel {
  const copy = Object.create(model) as UNetModel & { batchKey?: string };
  const base = (model as { batchKey?: string }).batchKey;
  Object.defineProperty(copy, 'schedulerConfig', { value: schedulerConfig, enumerable: true });
  Object.defineProperty(copy, 'batchKey', { value: base === undefined ? undefined : `${base}#${tag}`, enumerable: true });
  // A LoRA merged in afterwards (a new session for the same model) keeps the shift.
  const withSession = (model as { withSession?: (...args: unknown[]) => UNetModel }).withSession;
  if (withSession) {
    Object.defineProperty(copy, 'withSession', { value: (...args: unknown[]) => withSchedulerConfig(withSession.apply(model, args), schedulerConfig, tag) });
  }
  return copy;
}
