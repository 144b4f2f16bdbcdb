// The noise predictor behind U-Nets and refiners: one ONNX session with the SD U-Net interface
// (sample, timestep, encoder_hidden_states -> out_sample) or the SD3 transformer interface Optimum exports
// (hidden_states, timestep, encoder_hidden_states, pooled_projections -> out_hidden_states), adapted to the
// session's dtypes and batch limit. SDXL U-Nets also take text_embeds and time_ids (sdxl-inputs.ts).
import { outputFloat32, type FeedValue, type TensorInfo } from '../onnx/feeds';
import type { ModelSession } from '../runtime/onnx';
import { batchItem, concatBatch, type Tensor } from '../runtime/tensor';
import { sliceAdded } from '../sampling/added';
import type { AddedConditioning } from '../values';
import { ModelFormatError, ModelInputError } from './errors';
import { batchLimit, fixedChannels, fixedSpatial, isIntegerType, optionalInput, pickOutput, requireInput } from './session-io';
import { SdxlInputs } from './sdxl-inputs';

/** What the denoiser needs from a session (ModelSession, or a fake in tests). */
export type DenoiserSession = Pick<ModelSession, 'inputs' | 'outputs' | 'run' | 'key' | 'provider'>;

export class OnnxDenoiser {
  readonly maxBatch: number;
  /** Latent channels when the export pins them. */
  readonly channels: number | undefined;
  /** Latent [h, w] when the export pins them (old fixed-shape exports). */
  readonly fixedSize: [number, number] | undefined;
  /** Context length when the export pins it (then long prompts cannot be used). */
  readonly fixedTokens: number | undefined;
  private readonly sample: TensorInfo;
  private readonly timestep: TensorInfo;
  private readonly context: TensorInfo;
  private readonly pooled: TensorInfo | undefined;
  /** SDXL's text_embeds + time_ids, when the session has them. */
  readonly sdxl: SdxlInputs | undefined;
  private readonly output: string;

  constructor(readonly session: DenoiserSession, readonly file: string, readonly label: string) {
    this.sample = requireInput(session, ['sample', 'hidden_states', 'x', 'latent_sample'], file, 'latent sample');
    this.timestep = requireInput(session, ['timestep', 'timesteps', 't'], file, 'timestep');
    this.context = requireInput(session, ['encoder_hidden_states', 'context'], file, 'text conditioning');
    this.pooled = optionalInput(session, ['pooled_projections']);
    this.sdxl = SdxlInputs.of(session, file, label);
    this.output = pickOutput(session, ['out_sample', 'out_hidden_states', 'noise_pred', 'sample_out'], file).name;
    // An input nothing here feeds would fail inside onnxruntime at the first step; say which, up front (e.g. a
    // Flux export's img_ids/txt_ids/guidance: its packed-latent interface is not the SD3 one).
    const fed = new Set([this.sample.name, this.timestep.name, this.context.name, this.pooled?.name, ...(this.sdxl?.names ?? [])]);
    const unfed = session.inputs.filter((i) => !fed.has(i.name)).map((i) => i.name);
    if (unfed.length) {
      throw new ModelFormatError(file, `has inputs ${unfed.join(', ')} that neither the SD U-Net interface (sample, timestep, encoder_hidden_states) nor the SD3 transformer interface (hidden_states, timestep, encoder_hidden_states, pooled_projections) feeds`);
    }
    this.maxBatch = Math.min(batchLimit(this.sample), batchLimit(this.context));
    this.channels = fixedChannels(this.sample);
    this.fixedSize = fixedSpatial(this.sample);
    const t = this.context.dims[1];
    this.fixedTokens = typeof t === 'number' && t > 0 ? t : undefined;
  }

  /** How the session takes its timestep, for logs and tests. */
  describe(): string {
    return `${this.label}: sample ${this.sample.type} [${this.sample.dims.join(', ')}], timestep ${this.timestep.type} ` +
      `[${this.timestep.dims.join(', ')}], context ${this.context.type} [${this.context.dims.join(', ')}], max batch ${this.maxBatch}`;
  }

  /** Model output for every batch item of `sample`; `context` (and `added`) has batch 1 (shared) or the sample's batch. */
  async predict(sample: Tensor, timestep: number, context: Tensor, signal?: AbortSignal, added?: AddedConditioning): Promise<Tensor> {
    this.check(sample, context);
    const b = sample.dims[0];
    if (b <= this.maxBatch) return this.run(sample, timestep, this.tileContext(context, b), signal, sliceAdded(added, 0, b));
    const parts: Tensor[] = [];
    for (let start = 0; start < b; start += this.maxBatch) {
      const n = Math.min(this.maxBatch, b - start);
      const items = Array.from({ length: n }, (_, i) => batchItem(sample, start + i));
      const ctx = context.dims[0] === 1
        ? this.tileContext(context, n)
        : concatBatch(Array.from({ length: n }, (_, i) => batchItem(context, start + i)));
      parts.push(await this.run(concatBatch(items), timestep, ctx, signal, sliceAdded(added, start, n)));
    }
    return concatBatch(parts);
  }

  private check(sample: Tensor, context: Tensor): void {
    const [b, c, h, w] = sample.dims;
    if (this.channels !== undefined && c !== this.channels) {
      throw new ModelInputError(this.label, `the latent has ${c} channels but this model takes ${this.channels}`);
    }
    if (this.fixedSize && (h !== this.fixedSize[0] || w !== this.fixedSize[1])) {
      throw new ModelInputError(this.label, `this export only takes ${this.fixedSize[1] * 8}x${this.fixedSize[0] * 8} images ` +
        `(latent ${this.fixedSize[1]}x${this.fixedSize[0]}), got ${w * 8}x${h * 8}; set the latent size to match`);
    }
    if (context.dims[0] !== 1 && context.dims[0] !== b) {
      throw new ModelInputError(this.label, `conditioning batch ${context.dims[0]} does not match latent batch ${b}`);
    }
    if (this.fixedTokens !== undefined && context.dims[1] !== this.fixedTokens) {
      throw new ModelInputError(this.label, `this export takes exactly ${this.fixedTokens} tokens of conditioning but the prompt ` +
        `has ${context.dims[1]}; shorten the prompt to ${this.fixedTokens - 2} tokens or fewer`);
    }
    const d = this.context.dims[2];
    if (typeof d === 'number' && context.dims[2] !== d) {
      throw new ModelInputError(this.label, `the conditioning has width ${context.dims[2]} but this model takes ${d}; ` +
        'use the text encoder that belongs to this model');
    }
  }

  private tileContext(context: Tensor, b: number): Tensor {
    if (context.dims[0] === b) return context;
    return concatBatch(Array.from({ length: b }, () => context));
  }

  private async run(sample: Tensor, timestep: number, context: Tensor, signal?: AbortSignal, added?: AddedConditioning): Promise<Tensor> {
    const b = sample.dims[0];
    const feeds: Record<string, FeedValue> = {
      [this.sample.name]: sample,
      [this.timestep.name]: this.timestepFeed(timestep, b),
      [this.context.name]: context,
    };
    if (this.pooled) feeds[this.pooled.name] = this.pooledFeed(b);
    if (this.sdxl) Object.assign(feeds, this.sdxl.feeds(added, b));
    const out = (await this.session.run(feeds, { signal }))[this.output];
    const data = outputFloat32(out);
    const [, c, h, w] = sample.dims;
    // An inpainting U-Net takes 2C+1 channels (latent, mask, masked-image latent) and predicts C.
    const oc = data.length / (b * h * w);
    if (oc !== c && 2 * oc + 1 !== c) {
      throw new ModelInputError(this.label, `the model returned [${out.dims.join(', ')}] for a sample of [${sample.dims.join(', ')}]`);
    }
    return { data, dims: [b, oc, h, w] };
  }

  /**
   * Zeros: CONDITIONING does not carry the pooled CLIP projection through guidance yet, so an SD3/Flux
   * transformer gets none (the built-in flow sprites transformer gives it zero weight).
   */
  private pooledFeed(b: number): FeedValue {
    const width = this.pooled!.dims[1];
    if (typeof width !== 'number' || width <= 0) {
      throw new ModelInputError(this.label, `pooled_projections has no fixed width ([${this.pooled!.dims.join(', ')}])`);
    }
    return { data: new Float32Array(b * width), dims: [b, width] };
  }

  /**
   * Per batch item by default; [1] or a scalar when the export says so (diffusers' ONNX pipeline feeds
   * one timestep and lets the graph broadcast). Integer timesteps are rounded: sigma-based samplers
   * produce fractional ones that only float-timestep models can use exactly.
   */
  private timestepFeed(t: number, b: number): FeedValue {
    const value = isIntegerType(this.timestep) ? Math.round(t) : t;
    const dims = this.timestep.dims;
    if (dims.length === 0) return { data: Float32Array.of(value), dims: [] };
    const n = dims[0] === 1 ? 1 : b;
    const data = this.timestep.type === 'float64' ? new Float64Array(n).fill(value) : new Float32Array(n).fill(value);
    return { data, dims: [n] };
  }
}
