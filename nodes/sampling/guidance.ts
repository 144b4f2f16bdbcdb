// Classifier-free guidance: the model output for the positive and the negative conditioning, combined
// as uncond + cfg * (cond - uncond). Both go in one batched call when the model takes the batch.
import { concatBatch, type Tensor } from '../runtime/tensor';
import type { AddedConditioning } from '../values';
import { concatAdded, tileAdded } from './added';

/** A noise predictor with the U-Net interface (UNetModel and RefinerModel both fit). */
export interface Denoiser {
  maxBatch: number;
  predict(sample: Tensor, timestep: number, context: Tensor, signal?: AbortSignal, added?: AddedConditioning): Promise<Tensor>;
}

export interface Guidance {
  /** [1, T, D] (or [B, T, D]) hidden states of the prompt. */
  positive: Tensor;
  negative: Tensor;
  cfg: number;
  /** Each prompt's added conditioning (SDXL pooled text embedding + time ids), one row each; rides with its context. */
  positiveAdded?: AddedConditioning;
  negativeAdded?: AddedConditioning;
}

export interface GuidedOutput {
  output: Float32Array;
  /** predict() calls made: 1 when batched (or cfg = 1), 2 otherwise. */
  calls: number;
}

function tile(context: Tensor, b: number): Tensor {
  if (context.dims[0] === b) return context;
  return concatBatch(Array.from({ length: b }, () => context));
}

/** One run's share of a model call: its model input and its conditioning. */
export interface GuidedItem {
  sample: Tensor;
  guidance: Guidance;
}

/**
 * `sample` is the model input [B, C, h, w] at `timestep`. cfg = 1 skips the negative prompt (its weight
 * is zero), as ComfyUI does. Contexts of different lengths (a long prompt against a short one) cannot
 * share a batch: they run as two calls rather than being padded, which would change the conditioning.
 */
export async function guidedOutput(denoiser: Denoiser, sample: Tensor, timestep: number, g: Guidance, signal?: AbortSignal): Promise<GuidedOutput> {
  const [r] = await guidedOutputs(denoiser, [{ sample, guidance: g }], timestep, signal);
  return r;
}

/**
 * guidedOutput for several runs in one model call (dynamic batching): the samples are stacked along the batch
 * axis, uncond halves first, and each run gets back exactly the rows it sent. One item makes the very call
 * guidedOutput always made. Every item must share cfg and the context shapes (the batch key guarantees it).
 */
export async function guidedOutputs(denoiser: Denoiser, items: GuidedItem[], timestep: number, signal?: AbortSignal): Promise<GuidedOutput[]> {
  const cfg = items[0].guidance.cfg;
  const samples = items.map((it) => it.sample);
  const sizes = samples.map((s) => s.data.length);
  const positives = items.map((it) => tile(it.guidance.positive, it.sample.dims[0]));
  const positiveAdded = items.map((it) => tileAdded(it.guidance.positiveAdded, it.sample.dims[0]));
  if (cfg === 1) {
    const cond = await denoiser.predict(concatBatch(samples), timestep, concatBatch(positives), signal, concatAdded(positiveAdded));
    return split(cond.data, sizes).map((output) => ({ output, calls: 1 }));
  }
  const negatives = items.map((it) => tile(it.guidance.negative, it.sample.dims[0]));
  const negativeAdded = items.map((it) => tileAdded(it.guidance.negativeAdded, it.sample.dims[0]));
  const g0 = items[0].guidance;
  const sameShape = g0.positive.dims.slice(1).join() === g0.negative.dims.slice(1).join();
  let uncond: Float32Array[];
  let cond: Float32Array[];
  let calls: number;
  if (denoiser.maxBatch >= 2 && sameShape) {
    const both = await denoiser.predict(concatBatch([...samples, ...samples]), timestep, concatBatch([...negatives, ...positives]), signal,
      concatAdded([...negativeAdded, ...positiveAdded]));
    const half = both.data.length / 2;
    uncond = split(both.data.subarray(0, half), sizes);
    cond = split(both.data.subarray(half), sizes);
    calls = 1;
  } else {
    const all = concatBatch(samples);
    uncond = split((await denoiser.predict(all, timestep, concatBatch(negatives), signal, concatAdded(negativeAdded))).data, sizes);
    cond = split((await denoiser.predict(all, timestep, concatBatch(positives), signal, concatAdded(positiveAdded))).data, sizes);
    calls = 2;
  }
  return items.map((_, k) => {
    const u = uncond[k];
    const c = cond[k];
    const output = new Float32Array(c.length);
    for (let i = 0; i < output.length; i++) output[i] = u[i] + cfg * (c[i] - u[i]);
    return { output, calls };
  });
}

function split(data: Float32Array, sizes: number[]): Float32Array[] {
  let at = 0;
  return sizes.map((n) => data.subarray(at, (at += n)));
}
