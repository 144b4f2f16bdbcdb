// One sampler step's preview, handed to the run's hooks: what the single-run loop (loop.ts) and a batched loop
// (several runs in one model call) both call, once per run and step. Cheap on purpose: no RGB, no encoding here.
import type { PreviewFrame } from '../define';
import type { LatentRgb } from '../models/latent-rgb';
import { channelStats, type Tensor } from '../runtime/tensor';

/** The two preview hooks of one run (a subset of LoopHooks / ExecuteContext). */
export interface PreviewHooks {
  wantsPreview?(): boolean;
  preview?(frame: PreviewFrame): void;
}

export interface StepPreview {
  step: number;
  total: number;
  sigma?: number;
  timestep?: number;
  /** This run's predicted x0, [B, C, h, w] (a batched loop passes the run's own rows, e.g. subarray views). */
  x0: Tensor;
  /** This run's model input for the step (the scaled current latent), same shape. */
  input: Tensor;
  latentRgb: LatentRgb;
}

/** Batch item 0 of an NCHW tensor as a [1, C, h, w] view (no copy: the host copies what it keeps). */
function firstItem(t: Tensor): Tensor {
  const [, c, h, w] = t.dims;
  return { data: t.data.subarray(0, c * h * w), dims: [1, c, h, w] };
}

/**
 * Offers the step to the run's preview hook when somebody watches. Costs the channel statistics and nothing else;
 * what is kept, drawn and sent is the host's decision (nodes/engine/preview-stream.ts).
 */
export function previewStep(hooks: PreviewHooks, s: StepPreview): void {
  if (!hooks.preview || !hooks.wantsPreview?.()) return;
  hooks.preview({
    step: s.step, total: s.total, sigma: s.sigma, timestep: s.timestep,
    x0: firstItem(s.x0),
    latent: firstItem(s.input),
    latentRgb: s.latentRgb,
    stats: channelStats(s.input),
  });
}
