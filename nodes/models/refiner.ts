// The REFINER socket's value: an attention denoiser with the U-Net interface, run for the last steps.
import type { OnnxRuntime } from '../runtime/onnx';
import type { Tensor } from '../runtime/tensor';
import type { AddedConditioning, RefinerModel } from '../values';
import { OnnxDenoiser, type DenoiserSession } from './denoiser';
import { SD15_SCHEDULER_CONFIG, SD_LATENT_CHANNELS } from './defaults';
import { parseLatentRgb, SD15_LATENT_RGB, type LatentRgb } from './latent-rgb';
import { sessionKey } from './session-key';
import { readSidecar, sidecarPath } from './sidecar';

export interface RefinerInfo {
  name: string;
  file: string;
  schedulerConfig: Record<string, unknown>;
  latentRgb: LatentRgb;
}

export class OnnxRefiner implements RefinerModel {
  readonly kind = 'refiner' as const;
  readonly name: string;
  readonly file: string;
  readonly provider: string;
  readonly loras: { name: string; strength: number }[] = [];
  readonly latentChannels: number;
  readonly schedulerConfig: Record<string, unknown>;
  readonly latentRgb: LatentRgb;
  readonly maxBatch: number;
  /** An SDXL refiner U-Net as a loose file: its time_ids width (the sampler builds them, as for a MODEL). */
  readonly addedTimeIds: 5 | 6 | undefined;
  private readonly denoiser: OnnxDenoiser;

  constructor(session: DenoiserSession, info: RefinerInfo) {
    this.denoiser = new OnnxDenoiser(session, info.file, `refiner "${info.name}"`);
    this.name = info.name;
    this.file = info.file;
    this.provider = session.provider;
    this.latentChannels = this.denoiser.channels ?? info.latentRgb.factors.length;
    this.schedulerConfig = info.schedulerConfig;
    this.latentRgb = info.latentRgb;
    this.maxBatch = this.denoiser.maxBatch;
    this.addedTimeIds = this.denoiser.sdxl?.timeIds;
  }

  /** The loaded weights (a LoRA merge has its own session key): runs batch only on the same weights. */
  get batchKey(): string {
    return this.denoiser.session.key;
  }

  predict(sample: Tensor, timestep: number, context: Tensor, signal?: AbortSignal, added?: AddedConditioning): Promise<Tensor> {
    return this.denoiser.predict(sample, timestep, context, signal, added);
  }
}

/**
 * A loose refiner .onnx; `<name>.json` beside it may carry {"scheduler": {...}, "latent_rgb": {...}},
 * otherwise SD1.5's schedule and preview factors are assumed.
 */
export async function loadRefiner(runtime: OnnxRuntime, name: string, file: string): Promise<OnnxRefiner> {
  const extras = readSidecar(file);
  const info: RefinerInfo = {
    name,
    file,
    schedulerConfig: (extras.scheduler as Record<string, unknown>) ?? { ...SD15_SCHEDULER_CONFIG },
    latentRgb: extras.latent_rgb ? parseLatentRgb(extras.latent_rgb, SD_LATENT_CHANNELS, sidecarPath(file)) : SD15_LATENT_RGB,
  };
  const session = await runtime.session(sessionKey('refiner', file), { path: file });
  return new OnnxRefiner(session, info);
}
