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
