// ControlNet in the sampling loop: a denoiser that, at every model call, runs the ControlNets applied to the
// conditioning of each row (positive or negative) whose window holds the timestep, sums their residuals and hands
// them to the U-Net. Windows follow ComfyUI's ControlNetApplyAdvanced: start/end percent of the training schedule,
// percent p at timestep t = 1 - t / (num_train_timesteps - 1); active when start <= p <= end.
import { NodeInputError } from '../engine/errors';
import type { ControlInputs, ControlResiduals } from '../models/control-inputs';
import { resizeNearest } from '../preprocess/resize-nearest';
import type { Tensor } from '../runtime/tensor';
import type { AddedConditioning, ConditioningValue, ControlHint } from '../values';
import type { Denoiser } from './guidance';

/** The U-Net side: a denoiser that takes residuals, and its residual inputs (absent: it cannot take any). */
export interface ControllableModel extends Denoiser {
  /** The model file, named in errors (a refiner passed here has one too). */
  file?: string;
  controlInputs?: ControlInputs;
  inpaintInputs?: boolean;
  schedulerConfig: Record<string, unknown>;
  predict(sample: Tensor, timestep: number, context: Tensor, signal?: AbortSignal, added?: AddedConditioning, residuals?: ControlResiduals): Promise<Tensor>;
}

export function hasControl(positive: ConditioningValue, negative: ConditioningValue): boolean {
  return (positive.control?.length ?? 0) + (negative.control?.length ?? 0) > 0;
}

/** Refuses a U-Net the hints cannot steer, and ControlNets whose residuals do not match its inputs, before sampling. */
export function checkControl(model: ControllableModel, hints: readonly ControlHint[]): ControlInputs {
  const inputs = model.controlInputs;
  if (!inputs) {
    throw new NodeInputError('controlnet_unsupported', `the model ${model.file ?? ''} has no ControlNet residual inputs (down_block_<i>, mid_block_additional_residual); ` +
      'load a checkpoint exported with them (e.g. tiny-sd-controlnet) or remove Apply ControlNet', 'model');
  }
  if (model.inpaintInputs) throw new NodeInputError('controlnet_unsupported', `ControlNet on the inpainting U-Net ${model.file} is not supported`, 'model');
  for (const { controlNet } of hints) {
    const out = controlNet.outputs;
    if (out.down.length !== inputs.down.length) {
      throw new NodeInputError('controlnet_mismatch', `the ControlNet ${controlNet.file} returns ${out.down.length} down-block residuals but the U-Net ${model.file} ` +
        `takes ${inputs.down.length} (${inputs.down.map((i) => i.name).join(', ')}); use a ControlNet made for this checkpoint`);
    }
    [...out.down.map((o, i) => [o, inputs.down[i]] as const), [out.mid, inputs.mid] as const].forEach(([o, i]) => {
      const [oc, ic] = [o.dims[1], i.dims[1]];
      if (typeof oc === 'number' && typeof ic === 'number' && oc !== ic) {
        throw new NodeInputError('controlnet_mismatch', `the ControlNet ${controlNet.file} output ${o.name} has ${oc} channels but the U-Net ${model.file} input ${i.name} takes ${ic}; ` +
          'use a ControlNet made for this checkpoint');
      }
    });
  }
  return inputs;
}

/**
 * The loop's denoiser with the conditioning's ControlNets; `model` itself when neither conditioning has one. A call's
 * rows are told apart by their context: rows equal to the negative embeddings (and not the positive ones) take the
 * negative's ControlNets, the rest the positive's (guidance stacks uncond and cond rows in one call).
 */
export function withControlNet(model: ControllableModel, positive: ConditioningValue, negative: ConditioningValue): Denoiser {
  if (!hasControl(positive, negative)) return model;
  checkControl(model, [...(positive.control ?? []), ...(negative.control ?? [])]);
  const sameContext = equalRows(positive.embeddings, negative.embeddings);
  if (sameContext && !sameHints(positive.control, negative.control)) {
    throw new NodeInputError('controlnet_ambiguous', 'the positive and negative prompts encode identically but carry different ControlNets; change one prompt or apply the ControlNet to both', 'negative');
  }
  // One hint list on both sides (Apply ControlNet's usual wiring): every row is steered alike, in one ControlNet call.
  const oneSide = sameContext || sameHints(positive.control, negative.control);
  const trainSteps = Number(model.schedulerConfig.num_train_timesteps ?? 1000);
  return {
    maxBatch: model.maxBatch,
    async predict(sample, timestep, context, signal, added) {
      const percent = 1 - timestep / (trainSteps - 1);
      const rows = sample.dims[0];
      const rowsOf = (side: 'positive' | 'negative') => Array.from({ length: rows }, (_, r) => r).filter((r) => {
        const negativeRow = !oneSide && equalRows(rowOf(context, r), negative.embeddings);
        return side === (negativeRow ? 'negative' : 'positive');
      });
      let residuals: ControlResiduals | undefined;
      for (const [side, cond] of [['positive', positive], ['negative', negative]] as const) {
        const active = (cond.control ?? []).filter((h) => h.start <= percent && percent <= h.end);
        const picked = rowsOf(side);
        if (active.length === 0 || picked.length === 0) continue;
        for (const hint of active) {
          const r = await hintResiduals(hint, pick(sample, picked), timestep, pick(context, picked), signal);
          residuals = addRows(residuals, r, picked, rows);
        }
      }
      return model.predict(sample, timestep, context, signal, added, residuals);
    },
  };
}

/** One ControlNet on the rows it steers; the hint is brought to the latent's pixel size (nearest, as ComfyUI's default). */
async function hintResiduals(hint: ControlHint, sample: Tensor, timestep: number, context: Tensor, signal?: AbortSignal): Promise<ControlResiduals> {
  const [b, , h, w] = sample.dims;
  const image = resizeNearest(rgb(hint.image), w * 8, h * 8);
  const tiled = image.dims[0] === b ? image : pick(image, Array.from({ length: b }, (_, i) => i % image.dims[0]));
  return hint.controlNet.residuals(sample, timestep, context, tiled, hint.strength, signal);
}

/** The first three channels (an RGBA hint loses its alpha; a grey one is repeated). */
function rgb(image: Tensor): Tensor {
  const [b, c, h, w] = image.dims;
  if (c === 3) return image;
  const plane = h * w;
  const data = new Float32Array(b * 3 * plane);
  for (let n = 0; n < b; n++) {
    for (let ch = 0; ch < 3; ch++) data.set(image.data.subarray((n * c + Math.min(ch, c - 1)) * plane, (n * c + Math.min(ch, c - 1) + 1) * plane), (n * 3 + ch) * plane);
  }
  return { data, dims: [b, 3, h, w] };
}

function rowOf(t: Tensor, r: number): Tensor {
  const per = t.data.length / t.dims[0];
  return { data: t.data.subarray(r * per, (r + 1) * per), dims: [1, ...t.dims.slice(1)] };
}

/** Rows `rows` of `t`, in that order (a copy). */
function pick(t: Tensor, rows: readonly number[]): Tensor {
  const per = t.data.length / t.dims[0];
  const data = new Float32Array(rows.length * per);
  rows.forEach((r, i) => data.set(t.data.subarray(r * per, (r + 1) * per), i * per));
  return { data, dims: [rows.length, ...t.dims.slice(1)] };
}

/** Whether `a`'s rows all equal `b`'s single row (or `b`'s rows one for one). */
function equalRows(a: Tensor, b: Tensor): boolean {
  const per = b.data.length / b.dims[0];
  if (a.data.length % per !== 0 || a.dims.slice(1).join() !== b.dims.slice(1).join()) return false;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[b.dims[0] === 1 ? i % per : i]) return false;
  return true;
}

function sameHints(a: readonly ControlHint[] = [], b: readonly ControlHint[] = []): boolean {
  return a.length === b.length && a.every((h, i) => h === b[i]);
}

/** `sum` (full batch, zeros where no ControlNet acts) plus `part`'s rows placed at `rows`. */
function addRows(sum: ControlResiduals | undefined, part: ControlResiduals, rows: readonly number[], total: number): ControlResiduals {
  const add = (acc: Tensor | undefined, t: Tensor): Tensor => {
    const per = t.data.length / t.dims[0];
    const out = acc ?? { data: new Float32Array(total * per), dims: [total, ...t.dims.slice(1)] };
    if (out.data.length !== total * per) throw new RangeError(`ControlNet residuals of [${t.dims}] do not match [${out.dims}]`);
    rows.forEach((r, i) => {
      for (let k = 0; k < per; k++) out.data[r * per + k] += t.data[i * per + k];
    });
    return out;
  };
  return { down: part.down.map((t, i) => add(sum?.down[i], t)), mid: add(sum?.mid, part.mid) };
}
