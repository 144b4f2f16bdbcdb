// Classifier-free guidance: the model output for the positive and the negative conditioning, combined
// as uncond + cfg * (cond - uncond). Both go in one batched call when the model takes the batch.
import { concatBatch, concatBatchInto, type Tensor } from '../runtime/tensor';
import type { AddedConditioning } from '../values';
import { concatAdded, sameGuidance, tileAdded } from './added';

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
  /** Each prompt's added conditioning (pooled projections, SDXL time ids, Flux guidance; nodes/sampling/added.ts). */
  added?: { positive?: AddedConditioning; negative?: AddedConditioning };
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
export async function guidedOutput(denoiser: Denoiser, sample: Tensor, timestep: number, g: Guidance, signal?: AbortSignal, memo?: ContextMemo): Promise<GuidedOutput> {
  const [r] = await guidedOutputs(denoiser, [{ sample, guidance: g }], timestep, signal, memo);
  return r;
}

/**
 * guidedOutput for several runs in one model call (dynamic batching): the samples are stacked along the batch
 * axis, uncond halves first, and each run gets back exactly the rows it sent. One item makes the very call
 * guidedOutput always made. Every item must share cfg and the context shapes (the batch key guarantees it).
 */
export async function guidedOutputs(denoiser: Denoiser, items: GuidedItem[], timestep: number, signal?: AbortSignal, memo = new ContextMemo()): Promise<GuidedOutput[]> {
  const cfg = items[0].guidance.cfg;
  const samples = items.map((it) => it.sample);
  const sizes = samples.map((s) => s.data.length);
  memo.use(items);
  const positives = () => items.map((it) => tile(it.guidance.positive, it.sample.dims[0]));
  const negatives = () => items.map((it) => tile(it.guidance.negative, it.sample.dims[0]));
  const added = (side: 'positive' | 'negative') => items.map((it) => tileAdded(it.guidance.added?.[side], it.sample.dims[0]));
  if (cfg === 1) {
    const cond = await denoiser.predict(concatBatch(samples), timestep, memo.get('positive', () => concatBatch(positives())), signal, concatAdded(added('positive')));
    return split(cond.data, sizes).map((output) => ({ output, calls: 1 }));
  }
  const g0 = items[0].guidance;
  // A call carries one guidance value: prompts with different Flux guidance run as two calls.
  const sameShape = g0.positive.dims.slice(1).join() === g0.negative.dims.slice(1).join() && sameGuidance(g0.added?.positive, g0.added?.negative);
  let uncond: Float32Array[];
  let cond: Float32Array[];
  let calls: number;
  if (denoiser.maxBatch >= 2 && sameShape) {
    const both = await denoiser.predict(memo.stackSamples([...samples, ...samples]), timestep, memo.get('both', () => concatBatch([...negatives(), ...positives()])), signal,
      concatAdded([...added('negative'), ...added('positive')]));
    const half = both.data.length / 2;
    uncond = split(both.data.subarray(0, half), sizes);
    cond = split(both.data.subarray(half), sizes);
    calls = 1;
  } else {
    const all = concatBatch(samples);
    uncond = split((await denoiser.predict(all, timestep, memo.get('negative', () => concatBatch(negatives())), signal, concatAdded(added('negative')))).data, sizes);
    cond = split((await denoiser.predict(all, timestep, memo.get('positive', () => concatBatch(positives())), signal, concatAdded(added('positive')))).data, sizes);
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

/**
 * The stacked conditioning of a batched loop, kept from step to step while the same runs take part: it does not
 * change between steps, and restacking it made ~300 KB of fresh memory per step for a batch of 16 (garbage the
 * collector then had to clear). Models only read their inputs, so one stack serves every call.
 */
export class ContextMemo {
  private guidance: readonly Guidance[] = [];
  private rows: readonly number[] = [];
  private readonly stacks = new Map<string, Tensor>();
  private sampleBuffer?: Float32Array;

  /** The runs of this call: a different set (one left, or cancelled) starts over. */
  use(items: readonly GuidedItem[]): void {
    const same = items.length === this.guidance.length && items.every((it, i) => it.guidance === this.guidance[i] && it.sample.dims[0] === this.rows[i]);
    if (same) return;
    this.guidance = items.map((it) => it.guidance);
    this.rows = items.map((it) => it.sample.dims[0]);
    this.stacks.clear();
  }

  /**
   * The step's samples stacked into one buffer kept from step to step (the model has read it when predict returns):
   * half a megabyte of fresh memory less per step for 16 runs.
   */
  stackSamples(samples: readonly Tensor[]): Tensor {
    const n = samples.reduce((k, t) => k + t.data.length, 0);
    if (this.sampleBuffer?.length !== n) this.sampleBuffer = new Float32Array(n);
    return concatBatchInto(samples, this.sampleBuffer);
  }

  get(kind: string, build: () => Tensor): Tensor {
    let t = this.stacks.get(kind);
    if (!t) this.stacks.set(kind, (t = build()));
    return t;
  }
}

function split(data: Float32Array, sizes: number[]): Float32Array[] {
  let at = 0;
  return sizes.map((n) => data.subarray(at, (at += n)));
}
