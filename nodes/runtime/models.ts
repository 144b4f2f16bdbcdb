// Resolves model names from graphs to files, strictly inside the models directory.
import path from 'node:path';
import fs from 'node:fs';

export const MODEL_KINDS = [
  'checkpoints', 'unet', 'text_encoders', 'vae', 'loras', 'upscalers', 'refiners', 'embeddings', 'controlnet',
] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

/** Extensions a loader accepts per kind; a checkpoint is a diffusers ONNX folder. */
const EXTENSIONS: Record<ModelKind, readonly string[]> = {
  checkpoints: [],
  unet: ['.onnx'],
  text_encoders: ['.onnx'],
  vae: ['.onnx'],
  loras: ['.safetensors'],
  upscalers: ['.onnx'],
  refiners: ['.onnx'],
  embeddings: ['.safetensors'],
  controlnet: ['.onnx'],
};

export class ModelPathError extends Error {
  readonly code = 'unknown_model';
  constructor(readonly kind: ModelKind, readonly modelName: string, message: string) {
    super(message);
    this.name = 'ModelPathError';
  }
}

export class ModelStore {
  constructor(readonly root: string) {}

  dir(kind: ModelKind): string {
    return path.join(this.root, kind);
  }

  /**
   * Absolute path of `name` under models/<kind>/. Rejects absolute paths, `..` segments and
   * anything that escapes the kind's folder after symlinks are followed.
   */
  resolve(kind: ModelKind, name: string): string {
    if (!name || path.isAbsolute(name) || name.split(/[\\/]/).includes('..') || name.includes('\0')) {
      throw new ModelPathError(kind, name, `model name "${name}" must be a plain name inside models/${kind}/`);
    }
    const base = path.resolve(this.dir(kind));
    const full = path.resolve(base, name);
    if (!full.startsWith(base + path.sep)) {
      throw new ModelPathError(kind, name, `model name "${name}" escapes models/${kind}/`);
    }
    if (!fs.existsSync(full)) {
      const known = this.list(kind);
      throw new ModelPathError(
        kind, name,
        `no ${kind} model "${name}" in ${base}` + (known.length ? `; available: ${known.join(', ')}` : '; the folder is empty'),
      );
    }
    const real = fs.realpathSync(full);
    const realBase = fs.realpathSync(base);
    if (!real.startsWith(realBase + path.sep)) {
      throw new ModelPathError(kind, name, `model "${name}" links outside models/${kind}/`);
    }
    return real;
  }

  exists(kind: ModelKind, name: string): boolean {
    try {
      this.resolve(kind, name);
      return true;
    } catch {
      return false;
    }
  }

  /** Names usable in a graph: files with the kind's extensions, or folders for checkpoints. */
  list(kind: ModelKind): string[] {
    const dir = this.dir(kind);
    if (!fs.existsSync(dir)) return [];
    const exts = EXTENSIONS[kind];
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) =>
        kind === 'checkpoints'
          ? e.isDirectory() && fs.existsSync(path.join(dir, e.name, 'model_index.json'))
          : e.isFile() && exts.some((x) => e.name.endsWith(x)),
      )
      .map((e) => e.name)
      .sort();
  }
}
