// Classifier-free guidance: the model output for the positive and the negative conditioning, combined
// as uncond + cfg * (cond - uncond). Both go in one batched call when the model takes the batch.
import { concatBatch, type Tensor } from '../runtime/tensor';

/** A noise predictor with the U-Net interface (UNetModel and RefinerModel both fit). */
export interface Denoiser {
  maxBatch: number;
  predict(sample: Tensor, timestep: number, context: Tensor, signal?: AbortSignal): Promise<Tensor>;
}

export interface Guidance {
  /** [1, T, D] (or [B, T, D]) hidden states of the prompt. */
  positive: Tensor;
  negative: Tensor;
  cfg: number;
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

/**
 * `sample` is the model input [B, C, h, w] at `timestep`. cfg = 1 skips the negative prompt (its weight
 * is zero), as ComfyUI does. Contexts of different lengths (a long prompt against a short one) cannot
 * share a batch: they run as two calls rather than being padded, which would change the conditioning.
 */
export async function guidedOutput(denoiser: Denoiser, sample: Tensor, timestep: number, g: Guidance, signal?: AbortSignal): Promise<GuidedOutput> {
  const b = sample.dims[0];
  if (g.cfg === 1) {
    const cond = await denoiser.predict(sample, timestep, g.positive, signal);
    return { output: cond.data, calls: 1 };
  }
  let uncond: Float32Array;
  let cond: Float32Array;
  let calls: number;
  const sameShape = g.positive.dims.slice(1).join() === g.negative.dims.slice(1).join();
  if (denoiser.maxBatch >= 2 && sameShape) {
    const both = await denoiser.predict(
      concatBatch([sample, sample]), timestep, concatBatch([tile(g.negative, b), tile(g.positive, b)]), signal,
    );
    const half = both.data.length / 2;
    uncond = both.data.subarray(0, half);
    cond = both.data.subarray(half);
    calls = 1;
  } else {
    uncond = (await denoiser.predict(sample, timestep, g.negative, signal)).data;
    cond = (await denoiser.predict(sample, timestep, g.positive, signal)).data;
    calls = 2;
  }
  const output = new Float32Array(cond.length);
  for (let i = 0; i < output.length; i++) output[i] = uncond[i] + g.cfg * (cond[i] - uncond[i]);
  return { output, calls };
}
