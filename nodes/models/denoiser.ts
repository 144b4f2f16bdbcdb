// The noise predictor behind U-Nets and refiners: one ONNX session with the SD U-Net interface
// (sample, timestep, encoder_hidden_states -> out_sample) or the SD3 transformer interface Optimum exports
// (hidden_states, timestep, encoder_hidden_states, pooled_projections -> out_hidden_states), adapted to the
// session's dtypes and batch limit. A Flux-style export (img_ids, txt_ids, optional guidance) gets 2x2-packed
// latents (flux-latents.ts), FluxPipeline's ids, its sigma as timestep (t/1000) and the guidance strength. SDXL
// U-Nets also take text_embeds and time_ids (sdxl-inputs.ts).
import { outputFloat32, type FeedValue, type TensorInfo } from '../onnx/feeds';
import type { ModelSession } from '../runtime/onnx';
import { batchItem, concatBatch, type Tensor } from '../runtime/tensor';
import { sliceAdded } from '../sampling/added';
import type { AddedConditioning } from '../values';
import { ModelFormatError, ModelInputError } from './errors';
import { controlInputs, residualFeeds, residualRows, type ControlInputs, type ControlResiduals } from './control-inputs';
import { latentImageIds, packLatents, textIds, unpackLatents } from './flux-latents';
import { batchLimit, fixedChannels, fixedSpatial, isIntegerType, optionalInput, pickOutput, requireInput } from './session-io';
import { SdxlInputs } from './sdxl-inputs';

/** What the denoiser needs from a session (ModelSession, or a fake in tests). */
export type DenoiserSession = Pick<ModelSession, 'inputs' | 'outputs' | 'run' | 'key' | 'provider'>;

/** FluxPipeline's guidance_scale default, and ComfyUI FluxGuidance's. */
export const FLUX_DEFAULT_GUIDANCE = 3.5;

export class OnnxDenoiser {
  readonly maxBatch: number;
  /** Latent channels when the export pins them. */
  readonly channels: number | undefined;
  /** Latent [h, w] when the export pins them (old fixed-shape exports). */
  readonly fixedSize: [number, number] | undefined;
  /** Context length when the export pins it (then long prompts cannot be used). */
  readonly fixedTokens: number | undefined;
  /** ControlNet residual inputs, when the export has them (nodes/models/control-inputs.ts). */
  readonly control: ControlInputs | undefined;
  private readonly sample: TensorInfo;
  private readonly timestep: TensorInfo;
  private readonly context: TensorInfo;
  private readonly pooled: TensorInfo | undefined;
  /** Flux: ids of image and text tokens, embedded guidance (absent in guidance-distilled-free exports such as schnell). */
  private readonly flux: { imgIds: TensorInfo; txtIds: TensorInfo; guidance?: TensorInfo } | undefined;
  /** SDXL's text_embeds + time_ids, when the session has them. */
  readonly sdxl: SdxlInputs | undefined;
  private readonly output: string;

  constructor(readonly session: DenoiserSession, readonly file: string, readonly label: string) {
    this.sample = requireInput(session, ['sample', 'hidden_states', 'x', 'latent_sample'], file, 'latent sample');
    this.timestep = requireInput(session, ['timestep', 'timesteps', 't'], file, 'timestep');
    this.context = requireInput(session, ['encoder_hidden_states', 'context'], file, 'text conditioning');
    this.pooled = optionalInput(session, ['pooled_projections']);
    const imgIds = optionalInput(session, ['img_ids']);
    const txtIds = optionalInput(session, ['txt_ids']);
    if (imgIds && txtIds) this.flux = { imgIds, txtIds, guidance: optionalInput(session, ['guidance']) };
    this.sdxl = SdxlInputs.of(session, file, label);
    this.output = pickOutput(session, ['out_sample', 'out_hidden_states', 'noise_pred', 'sample_out'], file).name;
    // An input nothing here feeds would fail inside onnxruntime at the first step; say which, up front (e.g. a
    // Flux export's img_ids/txt_ids/guidance: its packed-latent interface is not the SD3 one).
    this.control = controlInputs(session);
    const fed = new Set([this.sample.name, this.timestep.name, this.context.name, this.pooled?.name, this.flux?.imgIds.name, this.flux?.txtIds.name, this.flux?.guidance?.name,
      ...(this.sdxl?.names ?? []), ...(this.control ? [...this.control.down, this.control.mid].map((i) => i.name) : [])]);
    const unfed = session.inputs.filter((i) => !fed.has(i.name)).map((i) => i.name);
    if (unfed.length) {
      throw new ModelFormatError(file, `has inputs ${unfed.join(', ')} that neither the SD U-Net interface (sample, timestep, encoder_hidden_states), the SD3 transformer interface (hidden_states, timestep, encoder_hidden_states, pooled_projections) nor the Flux one (+ img_ids, txt_ids, guidance) feeds`);
    }
    this.maxBatch = Math.min(batchLimit(this.sample), batchLimit(this.context));
    const packed = this.sample.dims[2];
    this.channels = this.flux ? (typeof packed === 'number' && packed > 0 ? packed / 4 : undefined) : fixedChannels(this.sample);
    this.fixedSize = this.flux ? undefined : fixedSpatial(this.sample);
    const t = this.context.dims[1];
    this.fixedTokens = typeof t === 'number' && t > 0 ? t : undefined;
  }

  /** How the session takes its timestep, for logs and tests. */
  describe(): string {
    return `${this.label}: sample ${this.sample.type} [${this.sample.dims.join(', ')}], timestep ${this.timestep.type} ` +
      `[${this.timestep.dims.join(', ')}], context ${this.context.type} [${this.context.dims.join(', ')}], max batch ${this.maxBatch}`;
  }

  /** Model output for every batch item of `sample`; `context` (and `added`) has batch 1 (shared) or the sample's batch. */
  async predict(sample: Tensor, timestep: number, context: Tensor, signal?: AbortSignal, added?: AddedConditioning, residuals?: ControlResiduals): Promise<Tensor> {
    this.check(sample, context);
    const b = sample.dims[0];
    if (b <= this.maxBatch) return this.run(sample, timestep, this.tileContext(context, b), signal, sliceAdded(added, 0, b), residuals);
    const parts: Tensor[] = [];
    for (let start = 0; start < b; start += this.maxBatch) {
      const n = Math.min(this.maxBatch, b - start);
      const items = Array.from({ length: n }, (_, i) => batchItem(sample, start + i));
      const ctx = context.dims[0] === 1
        ? this.tileContext(context, n)
        : concatBatch(Array.from({ length: n }, (_, i) => batchItem(context, start + i)));
      parts.push(await this.run(concatBatch(items), timestep, ctx, signal, sliceAdded(added, start, n), residuals && residualRows(residuals, start, n)));
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

  private async run(sample: Tensor, timestep: number, context: Tensor, signal?: AbortSignal, added?: AddedConditioning, residuals?: ControlResiduals): Promise<Tensor> {
    const b = sample.dims[0];
    const [, c, h, w] = sample.dims;
    const feeds: Record<string, FeedValue> = {
      [this.sample.name]: this.flux ? this.packed(sample) : sample,
      // FluxPipeline hands its transformer sigma (timestep / 1000); the transformer scales it back inside.
      [this.timestep.name]: this.timestepFeed(this.flux ? timestep / 1000 : timestep, b),
      [this.context.name]: context,
      ...(this.control ? residualFeeds(this.control, residuals, b) : {}),
    };
    if (this.pooled) feeds[this.pooled.name] = this.pooledFeed(b, added?.pooled);
    if (this.flux) Object.assign(feeds, this.fluxFeeds(h, w, context.dims[1], b, added?.guidance));
    if (this.sdxl) Object.assign(feeds, this.sdxl.feeds(added, b));
    const out = (await this.session.run(feeds, { signal }))[this.output];
    let data = outputFloat32(out);
    if (this.flux) data = unpackLatents({ data, dims: out.dims }, h, w).data;
    // An inpainting U-Net takes 2C+1 channels (latent, mask, masked-image latent) and predicts C.
    const oc = data.length / (b * h * w);
    if (oc !== c && 2 * oc + 1 !== c) {
      throw new ModelInputError(this.label, `the model returned [${out.dims.join(', ')}] for a sample of [${sample.dims.join(', ')}]`);
    }
    return { data, dims: [b, oc, h, w] };
  }

  /**
   * The prompts' pooled projections ([1 or B, P]); zeros when the conditioning has none (a text encoder without
   * a pooled output: the built-in flow sprites transformer gives it zero weight).
   */
  private pooledFeed(b: number, pooled?: Tensor): FeedValue {
    const width = this.pooled!.dims[1];
    if (pooled) {
      if (typeof width === 'number' && pooled.dims[1] !== width) {
        throw new ModelInputError(this.label, `the pooled text embedding has width ${pooled.dims[1]} but pooled_projections takes ${width}; use the text encoders that belong to this model`);
      }
      return pooled.dims[0] === b ? pooled : concatBatch(Array.from({ length: b }, () => batchItem(pooled, 0)));
    }
    if (typeof width !== 'number' || width <= 0) {
      throw new ModelInputError(this.label, `pooled_projections has no fixed width ([${this.pooled!.dims.join(', ')}])`);
    }
    return { data: new Float32Array(b * width), dims: [b, width] };
  }

  private packed(sample: Tensor): Tensor {
    const [, , h, w] = sample.dims;
    if (h % 2 || w % 2) throw new ModelInputError(this.label, `packs 2x2 latent patches: the latent must have even sides, got ${w}x${h} (use image sides that are multiples of 16 px)`);
    return packLatents(sample);
  }

  /** img_ids/txt_ids without a batch axis (diffusers >= 0.31) or with one (older exports); guidance per batch item. */
  private fluxFeeds(h: number, w: number, tokens: number, b: number, guidance = FLUX_DEFAULT_GUIDANCE): Record<string, FeedValue> {
    const { imgIds, txtIds, guidance: g } = this.flux!;
    const ids = (info: TensorInfo, t: Tensor): Tensor => (info.dims.length === 3 ? concatBatch(Array.from({ length: b }, () => ({ data: t.data, dims: [1, ...t.dims] }))) : t);
    const feeds: Record<string, FeedValue> = { [imgIds.name]: ids(imgIds, latentImageIds(h, w)), [txtIds.name]: ids(txtIds, textIds(tokens)) };
    if (g) feeds[g.name] = { data: new Float32Array(b).fill(guidance), dims: [b] };
    return feeds;
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
