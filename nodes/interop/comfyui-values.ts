// Translation of ComfyUI widget values into StepFlow param values: model file names, sampler and
// scheduler names, resize methods and seeds. Each function reports what it could not carry over.
import { SAMPLER_NAMES, SCHEDULE_NAMES } from '../sampling/schedulers';

/** Model names the target server has, per kind (e.g. ModelStore.list()); improves name matching. */
export interface KnownModels {
  checkpoints?: readonly string[];
  loras?: readonly string[];
  upscalers?: readonly string[];
  controlnet?: readonly string[];
}
export type ModelListKind = keyof KnownModels;

type Warn = (message: string) => void;

const LABEL: Record<ModelListKind, string> = { checkpoints: 'checkpoint', loras: 'LoRA', upscalers: 'upscaler', controlnet: 'ControlNet' };

const WEIGHT_EXTENSION = /\.(safetensors|ckpt|pt|pth|bin|onnx|sft)$/i;

function stripExtension(name: string): string {
  return name.replace(WEIGHT_EXTENSION, '');
}
function baseName(name: string): string {
  return name.split(/[\\/]/).pop() ?? name;
}

/** Best-effort name on a server whose model list is unknown. */
function guessName(kind: ModelListKind, name: string): string {
  if (kind === 'checkpoints') return stripExtension(name); // a checkpoint is a diffusers ONNX folder
  if (kind === 'upscalers' || kind === 'controlnet') return /\.(pth|pt|safetensors|bin)$/i.test(name) ? stripExtension(name) + '.onnx' : name;
  return name;
}

/**
 * The StepFlow model name for a ComfyUI file name. With a list of known models, the first known
 * name equal to it ignoring case, extension and folder; without a match (or a list) the name is
 * kept so validation reports it as unknown_model and the user picks a model.
 */
export function mapModelName(kind: ModelListKind, name: string, known: KnownModels | undefined, warn: Warn): string {
  const list = known?.[kind];
  const guess = guessName(kind, name);
  if (!list) {
    if (guess !== name) warn(`${LABEL[kind]} "${name}" imported as "${guess}": StepFlow ${kind === 'checkpoints' ? 'checkpoints are ONNX folders' : `${kind} models are .onnx files`}`);
    return guess;
  }
  const key = (n: string) => stripExtension(baseName(n)).toLowerCase();
  const wanted = key(name);
  const hit = list.find((k) => k === name) ?? list.find((k) => k === guess) ?? list.find((k) => key(k) === wanted);
  if (hit) {
    if (hit !== name) warn(`${LABEL[kind]} "${name}" matched the installed model "${hit}"`);
    return hit;
  }
  warn(`${LABEL[kind]} "${name}" is not installed; pick one of: ${list.join(', ') || '(none installed)'}`);
  return name;
}

/** Schedules that the samplers below cannot follow: they step on their own timestep grid. */
const NORMAL_SCHEDULE_ONLY = new Set(['ddim', 'pndm', 'ddpm', 'lcm']);

/** ComfyUI sampler name -> StepFlow sampler; unknown names are kept (validation lists the valid ones). */
export function mapSamplerName(name: string, warn: Warn): string {
  if ((SAMPLER_NAMES as readonly string[]).includes(name)) return name;
  // The _gpu variants are the same solvers drawing their SDE noise on the GPU.
  const cpu = name.replace(/_gpu$/, '');
  if (cpu !== name && (SAMPLER_NAMES as readonly string[]).includes(cpu)) {
    warn(`sampler "${name}" imported as "${cpu}" (same solver; its noise is drawn on the CPU)`);
    return cpu;
  }
  warn(`sampler "${name}" is not supported; choose one of: ${SAMPLER_NAMES.join(', ')}`);
  return name;
}

export function mapScheduleName(schedule: string, sampler: string, warn: Warn): string {
  if (NORMAL_SCHEDULE_ONLY.has(sampler) && schedule !== 'normal') {
    warn(`scheduler "${schedule}" replaced by "normal": StepFlow's ${sampler} steps on its own timestep grid`);
    return 'normal';
  }
  if ((SCHEDULE_NAMES as readonly string[]).includes(schedule)) return schedule;
  if (schedule === 'ddim_uniform') {
    warn('scheduler "ddim_uniform" imported as "normal" (the closest StepFlow schedule)');
    return 'normal';
  }
  warn(`scheduler "${schedule}" is not supported; choose one of: ${SCHEDULE_NAMES.join(', ')}`);
  return schedule;
}

/** ComfyUI upscale_method -> sharp resize kernel of the Resize node. */
export function mapResizeKernel(method: string, warn: Warn): string {
  const kernels: Record<string, string> = { 'nearest-exact': 'nearest', bilinear: 'linear', bicubic: 'cubic', lanczos: 'lanczos3' };
  if (Object.hasOwn(kernels, method)) return kernels[method];
  if (method === 'area') {
    warn('upscale method "area" has no StepFlow kernel; "linear" used');
    return 'linear';
  }
  warn(`upscale method "${method}" is unknown; "lanczos3" used`);
  return 'lanczos3';
}

/** ComfyUI seeds reach 2^64 - 1; StepFlow's (and exact JSON integers) end at 2^53 - 1. */
export function mapSeed(seed: unknown, warn: Warn): unknown {
  if (typeof seed !== 'number' || !Number.isFinite(seed) || seed < 0 || Number.isSafeInteger(seed)) return seed;
  const reduced = Number(BigInt(Math.trunc(seed)) % BigInt(Number.MAX_SAFE_INTEGER));
  warn(`seed ${seed} is above 2^53 - 1 and was reduced to ${reduced}; the image will differ from ComfyUI's`);
  return reduced;
}
