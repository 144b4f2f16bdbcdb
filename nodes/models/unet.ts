// The MODEL socket's value: a U-Net (or an SD3/Flux-style transformer: a flow-matching scheduler config) ONNX
// session behind the UNetModel interface.
import type { OnnxRuntime } from '../runtime/onnx';
import type { Tensor } from '../runtime/tensor';
import type { ControlResiduals } from './control-inputs';
import type { AddedConditioning, UNetModel } from '../values';
import { OnnxDenoiser, type DenoiserSession } from './denoiser';
import { ModelFormatError, ModelInputError } from './errors';
import type { LatentRgb } from './latent-rgb';
import { sessionKey } from './session-key';
import { SD_LATENT_CHANNELS } from './defaults';
import { isFlowMatchConfig } from '../sampling/schedulers';

export interface UNetInfo {
  name: string;
  file: string;
  schedulerConfig: Record<string, unknown>;
  latentRgb: LatentRgb;
  latentChannels?: number;
  /** Latent height and width must be multiples of this. */
  latentMultiple?: number;
  loras?: { name: string; strength: number }[];
}

export class OnnxUNet implements UNetModel {
  readonly kind = 'unet' as const;
  readonly name: string;
  readonly file: string;
  readonly provider: string;
  readonly loras: { name: string; strength: number }[];
  readonly latentChannels: number;
  readonly inpaintInputs: boolean;
  readonly schedulerConfig: Record<string, unknown>;
  readonly maxBatch: number;
  readonly latentRgb: LatentRgb;
  readonly denoiser: OnnxDenoiser;
  readonly addedTimeIds: 5 | 6 | undefined;

  constructor(session: DenoiserSession, readonly info: UNetInfo) {
    const label = isFlowMatchConfig(info.schedulerConfig) ? 'transformer' : 'U-Net';
    this.denoiser = new OnnxDenoiser(session, info.file, `${label} "${info.name}"`);
    this.name = info.name;
    this.file = info.file;
    this.provider = session.provider;
    this.loras = info.loras ?? [];
    const latent = info.latentChannels ?? SD_LATENT_CHANNELS;
    // diffusers' inpainting U-Nets take 2C+1 channels (latent, mask, masked-image latent) and predict C.
    this.inpaintInputs = this.denoiser.channels === 2 * latent + 1;
    this.latentChannels = this.inpaintInputs ? latent : this.denoiser.channels ?? latent;
    if (info.latentRgb.factors.length !== this.latentChannels) {
      throw new ModelFormatError(info.file, `latent_rgb has ${info.latentRgb.factors.length} rows but the U-Net has ${this.latentChannels} latent channels`);
    }
    this.schedulerConfig = info.schedulerConfig;
    this.maxBatch = this.denoiser.maxBatch;
    this.latentRgb = info.latentRgb;
    this.addedTimeIds = this.denoiser.sdxl?.timeIds;
  }

  /**
   * The same U-Net metadata on another session, e.g. weights with a LoRA merged in
   * (`loras` lists what the new session contains).
   */
  withSession(session: DenoiserSession, loras: { name: string; strength: number }[]): OnnxUNet {
    return new OnnxUNet(session, { ...this.info, loras });
  }

  /** The loaded weights (a LoRA merge has its own session key): runs batch only on the same weights. */
  get batchKey(): string {
    return this.denoiser.session.key;
  }

  /** The export's ControlNet residual inputs; undefined: a ControlNet cannot steer this U-Net. */
  get controlInputs() {
    return this.denoiser.control;
  }

  predict(sample: Tensor, timestep: number, context: Tensor, signal?: AbortSignal, added?: AddedConditioning, residuals?: ControlResiduals): Promise<Tensor> {
    const m = this.info.latentMultiple;
    const [, , h, w] = sample.dims;
    if (m && (h % m !== 0 || w % m !== 0)) {
      throw new ModelInputError(`U-Net "${this.name}"`, `takes images whose sides are multiples of ${m * 8} px (latent ${m}), got ${w * 8}x${h * 8}; ` +
        `use e.g. ${Math.max(m, Math.round(w / m) * m) * 8}x${Math.max(m, Math.round(h / m) * m) * 8}`);
    }
    return this.denoiser.predict(sample, timestep, context, signal, added, residuals);
  }
}

export async function loadUNet(runtime: OnnxRuntime, info: UNetInfo): Promise<OnnxUNet> {
  const session = await runtime.session(sessionKey('unet', info.file), { path: info.file });
  return new OnnxUNet(session, info);
}
