// One sampler step's raw latents as the engine hands them to its host (RunOptions.onSteps) while someone watches:
// the host keeps them for the debugger's timeline and draws a step only when somebody looks at it. Not a run event:
// browsers get pictures (node:preview), never latents.
import type { LatentRgb } from '../models/latent-rgb';
import type { ChannelStats } from '../runtime/tensor';

export interface StepLatents {
  runId: string;
  nodeId: string;
  step: number;
  total: number;
  sigma?: number;
  timestep?: number;
  /** Per-channel statistics of the current latent (the whole batch). */
  stats: ChannelStats[];
  /** [C, h, w] of both latents. */
  dims: [number, number, number];
  /** Predicted x0 of batch item 0, C·h·w values. */
  x0: Float32Array;
  /** The current latent as the model saw it (batch item 0), when the sampler provides it. */
  latent?: Float32Array;
  /** How both are drawn (latentToRgb). */
  latentRgb: LatentRgb;
}

/** A step's facts without its arrays; `hasLatent`: its current latent follows its x0 in the batch's data. */
export type StepInfo = Omit<StepLatents, 'x0' | 'latent'> & { hasLatent: boolean };

/**
 * Steps of one node as they cross to the host: one buffer holding each step's x0, then its latent if it has one, back
 * to back in step order. One typed array serialises in one copy; hundreds of small ones cost the worker ~10 ms a run.
 */
export interface StepBatch {
  steps: StepInfo[];
  data: Float32Array;
}

/** Floats a step takes in a batch's data. */
export function stepFloats(s: Pick<StepInfo, 'dims' | 'hasLatent'>): number {
  return s.dims[0] * s.dims[1] * s.dims[2] * (s.hasLatent ? 2 : 1);
}

/**
 * The batch's steps with their latents as views of its data, or copies (`copy`: an in-process host, since the engine
 * reuses the buffer after onSteps returns). The data must hold exactly their floats.
 */
export function unpackSteps(batch: StepBatch, opts: { copy?: boolean } = {}): StepLatents[] {
  const data = opts.copy ? batch.data.slice() : batch.data;
  let at = 0;
  return batch.steps.map(({ hasLatent, ...info }) => {
    const n = info.dims[0] * info.dims[1] * info.dims[2];
    const x0 = data.subarray(at, at + n);
    at += n;
    const latent = hasLatent ? data.subarray(at, at + n) : undefined;
    if (hasLatent) at += n;
    return { ...info, x0, ...(latent ? { latent } : {}) };
  });
}
