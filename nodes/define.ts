// The node contract: typed sockets, params (zod + UI hints) and the execute context.
// Every node definition under nodes/defs/ is written against this file only.
import { z } from 'zod';
import type { SocketValueMap } from './values';
import type { OnnxRuntime } from './runtime/onnx';
import type { ModelStore, ModelKind } from './runtime/models';
import type { InputStore } from './runtime/inputs';
import type { ChannelStats, Tensor } from './runtime/tensor';
import type { LatentRgb } from './models/latent-rgb';
import { paramSchema, type ParamUi } from './engine/params';
import type { ImageSize } from './engine/image-size';
import type { LoopBatch } from './sampling/batch';
import type { PromptLookup } from './engine/prompt-cache';
import type { RunWarning } from './engine/events';

export const SOCKET_TYPES = [
  'MODEL', 'CLIP', 'VAE', 'CONDITIONING', 'LATENT', 'IMAGE', 'MASK', 'UPSCALE_MODEL', 'REFINER', 'CONTROL_NET', 'ANY',
  // Values of primitive nodes, wired only into params converted to inputs (engine/param-inputs.ts).
  'INT', 'FLOAT', 'STRING',
] as const;
export type SocketType = (typeof SOCKET_TYPES)[number];

export const NODE_CATEGORIES = [
  'loaders', 'conditioning', 'latent', 'sampling', 'image', 'upscale', 'utility',
] as const;
export type NodeCategory = (typeof NODE_CATEGORIES)[number];

export interface InputSpec {
  type: SocketType;
  optional?: boolean;
  description?: string;
}
export interface OutputSpec {
  type: SocketType;
  description?: string;
}

export type { ParamUi, Widget } from './engine/params';

export interface ParamSpec<T = unknown> {
  schema: z.ZodType<T>;
  default: T;
  ui: ParamUi;
}

interface NumberOpts {
  default: number;
  min?: number;
  max?: number;
  step?: number;
  label?: string;
  description?: string;
}

function spec<T>(ui: ParamUi, def: T): ParamSpec<T> {
  return { schema: paramSchema(ui) as z.ZodType<T>, default: def, ui };
}

function numberSpec(valueType: 'int' | 'float', o: NumberOpts): ParamSpec<number> {
  const slider = o.min !== undefined && o.max !== undefined;
  return spec<number>(
    { widget: slider ? 'slider' : 'number', valueType, label: o.label, description: o.description, min: o.min, max: o.max, step: o.step },
    o.default,
  );
}

/** Param constructors: each gives serialisable UI hints plus the zod schema derived from them. */
export const param = {
  int: (o: NumberOpts) => numberSpec('int', { step: 1, ...o }),
  float: (o: NumberOpts) => numberSpec('float', o),
  text: (o: { default: string; multiline?: boolean; maxLength?: number; label?: string; description?: string }) =>
    spec<string>(
      { widget: o.multiline ? 'textarea' : 'text', valueType: 'string', maxLength: o.maxLength, label: o.label, description: o.description },
      o.default,
    ),
  choice: <const C extends readonly [string, ...string[]]>(
    choices: C,
    o: { default: C[number]; label?: string; description?: string },
  ) => spec<C[number]>({ widget: 'select', valueType: 'string', choices, label: o.label, description: o.description }, o.default),
  bool: (o: { default: boolean; label?: string; description?: string }) =>
    spec<boolean>({ widget: 'toggle', valueType: 'boolean', label: o.label, description: o.description }, o.default),
  /** Seeds stay within Number's exact-integer range so JSON round-trips them unchanged. */
  seed: (o: { default?: number; label?: string } = {}) =>
    spec<number>({ widget: 'seed', valueType: 'int', min: 0, max: Number.MAX_SAFE_INTEGER, step: 1, label: o.label }, o.default ?? 0),
  /** A file in the input folders (uploads, shipped examples); the editor offers upload and a picker. */
  inputImage: (o: { default: string; label?: string; description?: string }) =>
    spec<string>({ widget: 'image', valueType: 'string', maxLength: 255, label: o.label, description: o.description }, o.default),
  /** A name relative to models/<kind>/; resolved only inside MODELS_DIR. */
  model: (kind: ModelKind, o: { default: string; label?: string; description?: string }) =>
    spec<string>({ widget: 'model', valueType: 'string', modelKind: kind, label: o.label, description: o.description }, o.default),
};

export type ParamValues<P extends Record<string, ParamSpec>> = {
  [K in keyof P]: P[K] extends ParamSpec<infer T> ? T : never;
};
export type InputValues<I extends Record<string, InputSpec>> = {
  [K in keyof I]: I[K]['optional'] extends true
    ? SocketValueMap[I[K]['type']] | undefined
    : SocketValueMap[I[K]['type']];
};
export type OutputValues<O extends Record<string, OutputSpec>> = {
  [K in keyof O]: SocketValueMap[O[K]['type']];
};

/**
 * `image`: a saved output (Save Image). `temp`: shown on its node and in the run's results, never a saved output
 * (Preview Image: not in the gallery, pruned with older runs' step previews).
 */
export type ArtifactKind = 'image' | 'temp';

/** A file an output node produced; the host decides where it lands. */
export interface Artifact {
  kind: ArtifactKind;
  filename: string;
  mime: string;
  bytes: Uint8Array;
  width: number;
  height: number;
}

/**
 * One sampler step as the host may show it: raw latents, not pictures. The host decides which frames it draws
 * (latentToRgb + encode) for the live view and keeps the latents for the timeline, so the sampler pays for neither.
 * The arrays are the sampler's own (views, from nodes/sampling/step-preview.ts): valid during the `preview` call
 * only, so a host copies what it keeps.
 */
export interface PreviewFrame {
  step: number;
  total: number;
  sigma?: number;
  timestep?: number;
  /** The predicted clean latent (x0) of batch item 0, [1, C, h, w]. */
  x0: Tensor;
  /** The current (noisy) latent of batch item 0 as the model sees it, [1, C, h, w]. */
  latent?: Tensor;
  /** How both are drawn as RGB (nodes/models/latent-rgb.ts). */
  latentRgb: LatentRgb;
  /** Per-channel statistics of the current latent, over the whole batch (debug plots, timeline). */
  stats?: ChannelStats[];
}

/** Called by samplers before each step; a debugger may hold the promise (pause). */
export interface SamplerStepState {
  step: number;
  total: number;
  sigma?: number;
  timestep: number;
  latent: Tensor;
  predictedX0?: Tensor;
}

export interface ExecuteContext {
  runId: string;
  nodeId: string;
  signal: AbortSignal;
  runtime: OnnxRuntime;
  models: ModelStore;
  inputs: InputStore;
  /** True when somebody watches previews; nodes skip preview work otherwise. */
  wantsPreview(): boolean;
  progress(step: number, total: number): void;
  preview(frame: PreviewFrame): void;
  beforeStep(state: SamplerStepState): Promise<void>;
  afterStep(state: SamplerStepState): Promise<void>;
  /** Whether beforeStep would hold this step (the debugger): a run in a batch leaves it first. */
  breaksBefore(step: number): boolean;
  artifact(a: Artifact): void;
  warn(message: string): void;
  /** A warning kept with the run and shown at run level (also sent live as node:warning). */
  runWarning(warning: RunWarning): void;
  log(message: string): void;
  /** Limits of this run's host (MAX_IMAGE_PIXELS on the server); nodes check before allocating. */
  limits: ExecuteLimits;
  /** Set when the run was dispatched with others that may share sampling loops (dynamic batching). */
  batch?: LoopBatch;
  /** The worker's prompt-embedding cache as this run sees it (its scope, its counts); absent when it is off. */
  promptCache?: PromptLookup;
}

export interface ExecuteLimits {
  /** Width x height x batch of any IMAGE or LATENT (latents in the pixels they decode to). */
  maxImagePixels: number;
}

export interface NodeDefinition<
  I extends Record<string, InputSpec> = Record<string, InputSpec>,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a param of any value type; each node narrows its own
  P extends Record<string, ParamSpec> = Record<string, ParamSpec<any>>,
  O extends Record<string, OutputSpec> = Record<string, OutputSpec>,
> {
  type: string;
  version: number;
  title: string;
  category: NodeCategory;
  description: string;
  /**
   * Names other tools give this node (InvokeAI's "Denoise Latents", ComfyUI classes StepFlow does not import),
   * found by the editor's node search. ComfyUI classes the importer maps come from nodes/interop/comfyui-nodes.ts.
   */
  aliases?: readonly string[];
  inputs: I;
  params: P;
  outputs: O;
  /** Output nodes (Save Image) are what a run executes by default. */
  output?: boolean;
  /** Model files this node reads with these params: their content hash joins the cache key. */
  files?(params: ParamValues<P>, stores: { models: ModelStore; inputs: InputStore }): string[];
  /**
   * The size of the node's IMAGE / LATENT output from its params and the sizes of its IMAGE / LATENT inputs,
   * when that is known before running (validation refuses too-large graphs with it); undefined = unknown.
   */
  outputSize?(params: ParamValues<P>, inputs: { [K in keyof I]?: ImageSize }): ImageSize | undefined;
  execute(ctx: ExecuteContext, inputs: InputValues<I>, params: ParamValues<P>): Promise<OutputValues<O>>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the registry holds definitions of every shape
export type AnyNodeDefinition = NodeDefinition<any, any, any>;

/** Identity function that lets TypeScript infer the input/param/output types of a node. */
export function defineNode<
  const I extends Record<string, InputSpec>,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- inferred per node from its params
  const P extends Record<string, ParamSpec<any>>,
  const O extends Record<string, OutputSpec>,
>(def: NodeDefinition<I, P, O>): NodeDefinition<I, P, O> {
  return Object.freeze(def);
}
