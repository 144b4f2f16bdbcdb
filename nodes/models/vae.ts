// The VAE socket's value: decoder (latent -> image) and optional encoder (image -> latent) sessions,
// with the diffusers conventions: images in [-1, 1] inside, latents multiplied by the scaling factor.
import { outputFloat32, type TensorInfo } from '../onnx/feeds';
import type { ModelSession, OnnxRuntime } from '../runtime/onnx';
import { batchItem, concatBatch, type Tensor } from '../runtime/tensor';
import type { VaeModel } from '../values';
import { ModelInputError } from './errors';
import { batchLimit, fixedChannels, pickOutput, requireInput } from './session-io';
import { SD_LATENT_CHANNELS } from './defaults';
import { sessionKey } from './session-key';

export type VaeSession = Pick<ModelSession, 'inputs' | 'outputs' | 'run' | 'key' | 'provider'>;

export interface VaeInfo {
  name: string;
  /** The decoder file (what ModelInfo.file reports). */
  file: string;
  encoderFile?: string;
  scalingFactor: number;
  /** SD3/Flux VAEs (vae/config.json shift_factor): latents are (z - shift)·scale. Default 0. */
  shiftFactor?: number;
  /** Default: the decoder's fixed channel count, else 4. */
  latentChannels?: number;
}

interface Port {
  session: VaeSession;
  input: TensorInfo;
  output: string;
  maxBatch: number;
}

function port(session: VaeSession, file: string, inputNames: string[], role: string, outputNames: string[]): Port {
  const input = requireInput(session, inputNames, file, role);
  return { session, input, output: pickOutput(session, outputNames, file).name, maxBatch: batchLimit(input) };
}

export class OnnxVae implements VaeModel {
  readonly kind = 'vae' as const;
  readonly name: string;
  readonly file: string;
  readonly provider: string;
  readonly loras: { name: string; strength: number }[] = [];
  readonly scalingFactor: number;
  readonly shiftFactor: number;
  readonly latentChannels: number;
  private readonly decoder: Port;
  private readonly encoder: Port | undefined;

  constructor(decoder: VaeSession, encoder: VaeSession | undefined, readonly info: VaeInfo) {
    this.name = info.name;
    this.file = info.file;
    this.provider = decoder.provider;
    this.scalingFactor = info.scalingFactor;
    this.shiftFactor = info.shiftFactor ?? 0;
    this.decoder = port(decoder, info.file, ['latent_sample', 'latent', 'z'], 'latent', ['sample', 'image']);
    this.latentChannels = fixedChannels(this.decoder.input) ?? info.latentChannels ?? SD_LATENT_CHANNELS;
    this.encoder = encoder && port(encoder, info.encoderFile ?? info.file, ['sample', 'image', 'pixel_values'], 'image', ['latent_sample', 'latent_parameters', 'latent']);
  }

  /** The decoder's weights: decodes batch only on the same session. */
  get batchKey(): string {
    return this.decoder.session.key;
  }

  get hasEncoder(): boolean {
    return this.encoder !== undefined;
  }

  /** [B, C, h, w] latent (scaled) -> [B, 3, 8h, 8w] image in [0, 1]. */
  async decode(latent: Tensor, signal?: AbortSignal): Promise<Tensor> {
    if (latent.dims[1] !== this.latentChannels) {
      throw new ModelInputError(`VAE "${this.name}"`, `the latent has ${latent.dims[1]} channels but this VAE decodes ${this.latentChannels}`);
    }
    // Plain loops over locals: TypedArray.map with a callback costs ~15 ns an element (50 ms for a batch of 16 256²
    // images), and property reads inside the loop kept it at half that.
    const src = latent.data;
    const scale = this.scalingFactor;
    const shift = this.shiftFactor;
    const z = new Float32Array(src.length);
    for (let i = 0; i < z.length; i++) z[i] = src[i] / scale + shift;
    const out = await this.runBatched(this.decoder, { data: z, dims: latent.dims }, signal);
    // In place: the session's output is ours alone, and a second image-sized array would be fresh memory, whose
    // first touch (page faults) costs more than the loop itself: ~35 ms for a batch of 16 256² images here.
    const data = out.data;
    for (let i = 0; i < data.length; i++) {
      const x = data[i] / 2 + 0.5;
      data[i] = x < 0 ? 0 : x > 1 ? 1 : x;
    }
    return out;
  }

  /** [B, 3|4, H, W] image in [0, 1] (alpha dropped; H, W multiples of 8) -> scaled latent [B, C, H/8, W/8]. */
  async encode(image: Tensor, signal?: AbortSignal): Promise<Tensor> {
    if (!this.encoder) {
      throw new ModelInputError(`VAE "${this.name}"`, 'has no encoder; load a checkpoint (or VAE folder) with vae_encoder/model.onnx for img2img');
    }
    const [b, c, h, w] = image.dims;
    if (h % 8 !== 0 || w % 8 !== 0) {
      throw new ModelInputError(`VAE "${this.name}"`, `image size ${w}x${h} is not a multiple of 8; resize it first (e.g. to ${Math.round(w / 8) * 8}x${Math.round(h / 8) * 8})`);
    }
    if (c < 3) throw new ModelInputError(`VAE "${this.name}"`, `the image has ${c} channels; the VAE encodes RGB`);
    const plane = h * w;
    const rgb = new Float32Array(b * 3 * plane);
    for (let i = 0; i < b; i++) {
      for (let k = 0; k < 3 * plane; k++) rgb[i * 3 * plane + k] = image.data[i * c * plane + k] * 2 - 1;
    }
    const out = await this.runBatched(this.encoder, { data: rgb, dims: [b, 3, h, w] }, signal);
    return this.meanLatent(out);
  }

  /** Encoders that output distribution parameters (mean ++ logvar) give 2C channels: keep the mean. */
  private meanLatent(out: Tensor): Tensor {
    const [b, ch, h, w] = out.dims;
    const c = this.latentChannels;
    if (ch !== c && ch !== 2 * c) {
      throw new ModelInputError(`VAE "${this.name}"`, `the encoder returned ${ch} channels; expected ${c} (or ${2 * c} with log-variance)`);
    }
    const plane = h * w;
    const data = new Float32Array(b * c * plane);
    for (let i = 0; i < b; i++) {
      for (let k = 0; k < c * plane; k++) data[i * c * plane + k] = (out.data[i * ch * plane + k] - this.shiftFactor) * this.scalingFactor;
    }
    return { data, dims: [b, c, h, w] };
  }

  private async runBatched(p: Port, x: Tensor, signal?: AbortSignal): Promise<Tensor> {
    const run = async (t: Tensor): Promise<Tensor> => {
      const out = (await p.session.run({ [p.input.name]: t }, { signal }))[p.output];
      return { data: outputFloat32(out), dims: out.dims };
    };
    if (x.dims[0] <= p.maxBatch) return run(x);
    const parts: Tensor[] = [];
    for (let i = 0; i < x.dims[0]; i++) parts.push(await run(batchItem(x, i)));
    return concatBatch(parts);
  }
}

export async function loadVae(runtime: OnnxRuntime, info: VaeInfo): Promise<OnnxVae> {
  const decoder = await runtime.session(sessionKey('vae-decoder', info.file), { path: info.file });
  const encoder = info.encoderFile ? await runtime.session(sessionKey('vae-encoder', info.encoderFile), { path: info.encoderFile }) : undefined;
  return new OnnxVae(decoder, encoder, info);
}
