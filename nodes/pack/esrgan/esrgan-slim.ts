// Where the MIT-licensed `@upscalerjs/esrgan-slim` package keeps its TF.js models, and what they expect.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

export const ESRGAN_SLIM_PACKAGE = '@upscalerjs/esrgan-slim';

/** Scales converted into the pack (the package also has x3 and x8). */
export const PACK_SCALES = [2, 4] as const;

/**
 * UpscalerJS declares inputRange/outputRange [0, 255] for its RDN ("esrgan-slim") models; the package's
 * own fixture/result samples match only in that range, so the ONNX graph scales [0,1] <-> [0,255].
 */
export const ESRGAN_SLIM_RANGE = 255;

export class EsrganPackageError extends Error {
  readonly code = 'esrgan_package_missing';
  constructor(message: string) {
    super(message);
    this.name = 'EsrganPackageError';
  }
}

/** The package folder, found from its resolved entry point (its `exports` hide package.json). */
export function esrganSlimDir(): string {
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve(ESRGAN_SLIM_PACKAGE);
  } catch (e) {
    throw new EsrganPackageError(`${ESRGAN_SLIM_PACKAGE} is not installed (${(e as Error).message}); run npm install to build the upscalers`);
  }
  for (let dir = path.dirname(entry); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === ESRGAN_SLIM_PACKAGE) return dir;
  }
  throw new EsrganPackageError(`cannot find the folder of ${ESRGAN_SLIM_PACKAGE} above ${entry}`);
}

export function esrganSlimModelJson(scale: number): string {
  const file = path.join(esrganSlimDir(), 'models', `x${scale}`, 'model.json');
  if (!fs.existsSync(file)) throw new EsrganPackageError(`${ESRGAN_SLIM_PACKAGE} has no x${scale} model (${file})`);
  return file;
}

/** model.json, the weight shards and the licence: the bytes a converted model depends on. */
export function esrganSlimFiles(scale: number): string[] {
  const json = esrganSlimModelJson(scale);
  const manifest = JSON.parse(fs.readFileSync(json, 'utf8')).weightsManifest as { paths: string[] }[];
  return [json, ...manifest.flatMap((g) => g.paths.map((p) => path.join(path.dirname(json), p)))];
}

export function esrganSlimLicense(): string {
  return fs.readFileSync(path.join(esrganSlimDir(), 'LICENSE'), 'utf8');
}

export function esrganSlimVersion(): string {
  return JSON.parse(fs.readFileSync(path.join(esrganSlimDir(), 'package.json'), 'utf8')).version as string;
}
