// What travels along each socket type. The model interfaces are implemented by the loaders.
import type { OnnxRuntime } from './runtime/onnx';
import type { TextualInversion } from './models/embeddings';
import type { PromptLookup } from './engine/prompt-cache';
import type { Tensor } from './runtime/tensor';
import type { ControlInputs, ControlResiduals } from './models/control-inputs';
import type { SdxlSizes } from './models/sdxl-time-ids';

/** NCHW float RGB(A) in [0,1]. */
export type ImageValue = Tensor;

/** [B, 1, H, W] float in [0,1] at image resolution; 1 = the area to repaint (ComfyUI's convention). */
export type MaskValue = Tensor;

export interface LatentValue {
  /** [B, C, H/8, W/8] */
  samples: Tensor;
  /** Set when a sampler stopped early and returned leftover noise (refiner hand-off). */
  leftoverNoise?: boolean;
  /** The step the next sampler should continue from, with the schedule it used. */
  schedule?: { steps: number; endStep: number };
  /** Noise level of leftover-noise samples, k-diffusion form: samples = x0 + sigma * eps. */
  sigma?: number;
  /** Inpainting: only where the mask is > 0 is denoised; elsewhere the sampler keeps `samples` (nodes/sampling/inpaint.ts). */
  noiseMask?: MaskValue;
}

export interface TokenInfo {
  id: number;
  text: string;
  weight: number;
}

export interface ConditioningValue {
  /** [1, 77*k, dim] hidden states, emphasis already applied. */
  embeddings: Tensor;
  pooled?: Tensor;
  /** Flux-style embedded guidance strength (FluxGuidance node); the model's default when unset. */
  guidance?: number;
  /** SDXL size/crop/aesthetic conditioning set by the prompt's encoder node; unset parts take the defaults (models/sdxl-time-ids.ts). */
  sdxlSizes?: SdxlSizes;
  prompt: string;
  tokens: TokenInfo[];
  /** ControlNets applied to this conditioning (Apply ControlNet), run by the sampler (nodes/sampling/controlnet.ts). */
  control?: readonly ControlHint[];
}

/** One Apply ControlNet: the model, its hint image, strength and the part of the schedule (0 = first step) it acts on. */
export interface ControlHint {
  controlNet: ControlNetModel;
  image: ImageValue;
  strength: number;
  start: number;
  end: number;
}

export interface ControlNetModel extends ModelInfo {
  kind: 'controlnet';
  /** Output names and shapes, in the U-Net's residual order (checked against its inputs before sampling). */
  outputs: ControlInputs;
  /** The residuals for `sample` [B,C,h,w] with the hint [B or 1,3,8h,8w], multiplied by `scale`. */
  residuals(sample: Tensor, timestep: number, context: Tensor, hint: Tensor, scale: number, signal?: AbortSignal): Promise<ControlResiduals>;
}

/**
 * Per-batch-item conditioning beside the hidden states: SDXL text_embeds + time_ids, SD3/Flux pooled projections, Flux
 * guidance, and each row's ControlNets (`control`, one entry per row, so batched runs keep their own hints).
 */
export interface AddedConditioning { pooled?: Tensor; timeIds?: Tensor; guidance?: number; control?: readonly ControlRow[] }

/** One model-call row's ControlNets; `index` is the row within its run's sample batch (it picks the hint image's row). */
export interface ControlRow {
  hints: readonly ControlHint[];
  index: number;
}

/** Common to every loaded model: where it came from and what ran it. */
export interface ModelInfo {
  name: string;
  file: string;
  provider: string;
  loras: { name: string; strength: number }[];
}

export interface UNetModel extends ModelInfo {
  kind: 'unet';
  latentChannels: number;
  /** diffusers scheduler_config.json of the checkpoint. */
  schedulerConfig: Record<string, unknown>;
  /** Batch sizes the session accepts (fixed-batch exports take only 1). */
  maxBatch: number;
  /**
   * An inpainting U-Net (2C+1 input channels): its input is the noisy latent, then the mask and the masked image's
   * latent (nodes/models/inpaint-inputs.ts); predict() takes all of them.
   */
  inpaintInputs?: boolean;
  /** ControlNet residual inputs of the export; unset: no ControlNet can steer it. */
  controlInputs?: ControlInputs;
  /** SDXL: the U-Net takes time_ids of this width (6 base, 5 refiner: nodes/models/sdxl-time-ids.ts) beside text_embeds. */
  addedTimeIds?: 5 | 6;
  /**
   * eps (or v) prediction for a batch: sample [B,C,h,w], timestep per batch item, context [B,T,D]; `added`: pooled
   * projections, time ids, guidance (rows [B, …] in context order); `residuals`: ControlNet's.
   */
  predict(sample: Tensor, timestep: number, context: Tensor, signal?: AbortSignal, added?: AddedConditioning, residuals?: ControlResiduals): Promise<Tensor>;
  /** Linear latent -> RGB projection used for previews: rgb = factors^T latent + bias. */
  latentRgb: { factors: number[][]; bias: number[] };
}

export interface ClipModel extends ModelInfo {
  kind: 'clip';
  /** `cache`: the run's prompt-embedding lookups (ExecuteContext.promptCache); without it every call encodes. */
  encode(prompt: string, signal?: AbortSignal, cache?: PromptLookup): Promise<ConditioningValue>;
  /** The same encoder stopping at an earlier layer (CLIP skip: -1 last, -2 the one before); absent when it cannot. */
  withLastLayer?(layer: number): ClipModel;
  /** The same encoder with textual-inversion vectors reachable as `embedding:name` (nodes/models/embeddings.ts). */
  withEmbeddings?(runtime: OnnxRuntime, embeddings: readonly TextualInversion[]): Promise<ClipModel>;
}

export interface VaeModel extends ModelInfo {
  kind: 'vae';
  scalingFactor: number;
  /** Identifies the decoder weights for dynamic batching; unset: decodes run alone. */
  batchKey?: string;
  decode(latent: Tensor, signal?: AbortSignal): Promise<Tensor>;
  encode(image: Tensor, signal?: AbortSignal): Promise<Tensor>;
}

export interface UpscaleModel extends ModelInfo {
  kind: 'upscaler';
  scale: number;
  upscale(image: Tensor, opts: { tile?: number; signal?: AbortSignal; onProgress?: (done: number, total: number) => void }): Promise<Tensor>;
}

export interface RefinerModel extends ModelInfo {
  kind: 'refiner';
  latentChannels: number;
  schedulerConfig: Record<string, unknown>;
  predict(sample: Tensor, timestep: number, context: Tensor, signal?: AbortSignal, added?: AddedConditioning): Promise<Tensor>;
  latentRgb: { factors: number[][]; bias: number[] };
  /** Batch sizes the session accepts (fixed-batch exports take only 1). */
  maxBatch: number;
}

export interface SocketValueMap {
  MODEL: UNetModel;
  CLIP: ClipModel;
  VAE: VaeModel;
  CONDITIONING: ConditioningValue;
  LATENT: LatentValue;
  IMAGE: ImageValue;
  MASK: MaskValue;
  UPSCALE_MODEL: UpscaleModel;
  REFINER: RefinerModel;
  CONTROL_NET: ControlNetModel;
  /** Primitive nodes' values; resolved into params before a run (engine/param-inputs.ts), so no node receives them. */
  INT: number;
  FLOAT: number;
  STRING: string;
  /** Only reroutes have ANY sockets: they carry whatever feeds them and are resolved away before a run. */
  ANY: UNetModel | ClipModel | VaeModel | ConditioningValue | LatentValue | ImageValue | MaskValue | UpscaleModel | RefinerModel | ControlNetModel | number | string;
}
