// ControlNet in the sampling loop: a denoiser that, at every model call, runs the ControlNets applied to the
// conditioning of each row (positive or negative, of any run of a dynamic batch) whose window holds the timestep, sums
// their residuals and hands them to the U-Net. Windows follow ComfyUI's ControlNetApplyAdvanced: start/end percent of the training schedule,
// percent p at timestep t = 1 - t / (num_train_timesteps - 1); active when start <= p <= end.
import { NodeInputError } from '../engine/errors';
import type { ControlInputs, ControlResiduals } from '../models/control-inputs';
import { resizeNearest } from '../preprocess/resize-nearest';
import { concatBatch, type Tensor } from '../runtime/tensor';
import type { AddedConditioning, ConditioningValue, ControlHint, ControlRow } from '../values';
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

/** `added` with the conditioning's ControlNets as its one control row (tileAdded repeats it for each sample row). */
export function withControlRows(added: AddedConditioning | undefined, c: ConditioningValue): AddedConditioning {
  return { ...added, control: [{ hints: c.control ?? [], index: 0 }] };
}

/**
 * The loop's denoiser with ControlNets; `model` itself when neither conditioning has one. Each call's rows carry
 * their own ControlNets in `added.control` (withControlRows; guidance and dynamic batching stack them like the
 * contexts), so uncond and cond rows, and the rows of different runs of a batch, are each steered by their own hints.
 * Rows sharing a ControlNet and strength share one ControlNet call.
 */
export function withControlNet(model: ControllableModel, positive: ConditioningValue, negative: ConditioningValue): Denoiser {
  if (!hasControl(positive, negative)) return model;
  checkControl(model, [...(positive.control ?? []), ...(negative.control ?? [])]);
  const trainSteps = Number(model.schedulerConfig.num_train_timesteps ?? 1000);
  const hintImages = new HintImages();
  return {
    maxBatch: model.maxBatch,
    async predict(sample, timestep, context, signal, added) {
      const rows = sample.dims[0];
      const control = added?.control;
      if (control?.length !== rows) throw new RangeError(`ControlNet rows: ${control?.length ?? 0} for a model call of ${rows}`);
      const percent = 1 - timestep / (trainSteps - 1);
      let residuals: ControlResiduals | undefined;
      for (const call of controlCalls(control, percent)) {
        const images = concatBatch(call.hints.map((h) => hintImages.row(h.hint, h.index, sample.dims)));
        const part = await call.controlNet.residuals(pick(sample, call.rows), timestep, pick(context, call.rows), images, call.strength, signal);
        residuals = addRows(residuals, part, call.rows, rows);
      }
      const rest: AddedConditioning = { ...added };
      delete rest.control;
      return model.predict(sample, timestep, context, signal, Object.keys(rest).length > 0 ? rest : undefined, residuals);
    },
  };
}

interface ControlCall {
  controlNet: ControlHint['controlNet'];
  strength: number;
  rows: number[];
  hints: { hint: ControlHint; index: number }[];
}

/**
 * The ControlNet calls of one model call: every row's hints active at `percent`, grouped by ControlNet and strength
 * (a row's second hint with the same pair goes in another call), in the order the rows list them.
 */
function controlCalls(rows: readonly ControlRow[], percent: number): ControlCall[] {
  const calls: ControlCall[] = [];
  rows.forEach(({ hints, index }, row) => {
    const used = new Set<ControlCall>();
    for (const hint of hints) {
      if (hint.start > percent || percent > hint.end) continue;
      let call = calls.find((c) => c.controlNet === hint.controlNet && c.strength === hint.strength && !used.has(c));
      if (!call) calls.push((call = { controlNet: hint.controlNet, strength: hint.strength, rows: [], hints: [] }));
      used.add(call);
      call.rows.push(row);
      call.hints.push({ hint, index });
    }
  });
  return calls;
}

/** Hint images brought to the latent's pixel size (nearest, as ComfyUI's default) once per loop; one row at a time. */
class HintImages {
  private readonly sized = new WeakMap<ControlHint, Tensor>();

  row(hint: ControlHint, index: number, latent: readonly number[]): Tensor {
    const [, , h, w] = latent;
    let image = this.sized.get(hint);
    if (image?.dims[2] !== h * 8 || image.dims[3] !== w * 8) this.sized.set(hint, (image = resizeNearest(rgb(hint.image), w * 8, h * 8)));
    return rowOf(image, index % image.dims[0]);
  }
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
