// Generates the built-in model pack into the models directory: runs each part whose files are missing,
// corrupt or older than its generator, records the result in .pack.json, and skips everything else.
import fs from 'node:fs';
import path from 'node:path';
import { defaultModelsDir } from '../paths';
import { spritesCheckpointPart, spritesRefinerPart } from './checkpoint';
import { spritesFlowCheckpointPart } from './flow-checkpoint';
import { combinedGeneratorHash, partGeneratorHash, partStaleReason, readManifest, sha256File, writeManifest, type PackManifest } from './checksum';
import { esrganPart } from './esrgan/part';
import { esrganVariantsPart } from './esrgan/variants';
import { tinyFluxVariantsPart, tinySd3VariantsPart, tinySdxlVariantsPart } from './family-variants';
import { part as paletteLoraPart } from './lora/part';
import { part as tinySdPart } from './tiny-sd/part';
import { variantsPart as tinySdVariantsPart } from './tiny-sd/variants';
import { controlNetPart as tinySdControlNetPart } from './tiny-sd/controlnet-part';
import { inpaintingPart as tinySdInpaintingPart } from './tiny-sd/inpainting-part';
import { part as spritesControlNetPart } from './sprites-controlnet/part';
import { part as tinySd3Part } from './tiny-sd3/part';
import { part as tinyFluxPart } from './tiny-flux/part';
import { part as tinySdxlPart } from './tiny-sdxl/part';
import type { PackPart } from './part';

/** Every part of the pack, in generation order. */
export const PACK_PARTS: readonly PackPart[] = Object.freeze([
  spritesCheckpointPart, spritesRefinerPart, spritesFlowCheckpointPart, esrganPart, paletteLoraPart, tinySdPart, tinySd3Part, tinyFluxPart, tinySdxlPart,
  // fp16 / int8 variants (ARCHITECTURE.md, model pack): after their fp32 sources
  esrganVariantsPart, tinySdVariantsPart, tinySdControlNetPart, tinySdInpaintingPart, spritesControlNetPart,
  tinySdxlVariantsPart, tinySd3VariantsPart, tinyFluxVariantsPart,
]);

export type PackProgress =
  | { phase: 'skip'; part: string }
  | { phase: 'start'; part: string; reason: string }
  | { phase: 'done'; part: string; files: string[]; ms: number };

export interface EnsurePackOptions {
  parts?: readonly PackPart[];
  /** Regenerate every part even when up to date. */
  force?: boolean;
  onProgress?: (p: PackProgress) => void;
}

export interface PackResult {
  modelsDir: string;
  manifest: PackManifest;
  /** Parts generated in this call (empty when the pack was up to date). */
  generated: string[];
  ms: number;
}

export class PackGenerationError extends Error {
  readonly code = 'pack_generation';
  constructor(readonly part: string, message: string, options?: { cause?: unknown }) {
    super(`model pack part "${part}": ${message}`, options);
    this.name = 'PackGenerationError';
  }
}

const LOCK_NAME = '.pack.lock';
const LOCK_STALE_MS = 10 * 60_000;

/** One generator per models directory at a time (install hook and server start may overlap). */
async function withLock<T>(modelsDir: string, fn: () => Promise<T>): Promise<T> {
  fs.mkdirSync(modelsDir, { recursive: true });
  const lock = path.join(modelsDir, LOCK_NAME);
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const held = fs.statSync(lock, { throwIfNoEntry: false });
      if (!held) continue; // released meanwhile
      if (Date.now() - held.mtimeMs > LOCK_STALE_MS) fs.rmSync(lock, { recursive: true, force: true }); // a generator that died
      else await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

function checkWritten(part: string, modelsDir: string, files: string[], claimed: Map<string, string>): void {
  for (const rel of files) {
    if (path.isAbsolute(rel) || rel.split('/').includes('..') || rel.includes('\\')) {
      throw new PackGenerationError(part, `returned "${rel}"; files must be '/'-separated paths inside the models directory`);
    }
    if (!fs.existsSync(path.join(modelsDir, rel))) throw new PackGenerationError(part, `reported ${rel} but did not write it`);
    const owner = claimed.get(rel);
    if (owner && owner !== part) throw new PackGenerationError(part, `writes ${rel}, which part "${owner}" also writes`);
    claimed.set(rel, part);
  }
}

/**
 * Brings the pack in `modelsDir` up to date and returns its manifest. Cheap when nothing changed:
 * hashes the generator sources and the pack's files (a few tens of MB), generates nothing.
 */
export async function ensurePack(modelsDir: string = defaultModelsDir(), opts: EnsurePackOptions = {}): Promise<PackResult> {
  const parts = opts.parts ?? PACK_PARTS;
  const t0 = performance.now();
  return withLock(modelsDir, async () => {
    const old = readManifest(modelsDir);
    const manifest: PackManifest = { version: 1, generator: '', parts: { ...old?.parts }, files: {} };
    const generated: string[] = [];
    const claimed = new Map<string, string>();
    for (const part of parts) {
      const generator = partGeneratorHash(part);
      const reason = opts.force ? 'forced' : partStaleReason(modelsDir, old, part, generator);
      if (reason === null) {
        opts.onProgress?.({ phase: 'skip', part: part.name });
        manifest.parts[part.name] = old!.parts[part.name];
        continue;
      }
      opts.onProgress?.({ phase: 'start', part: part.name, reason });
      const started = performance.now();
      let files: string[];
      try {
        files = [...new Set(await part.generate(modelsDir))].sort();
      } catch (e) {
        throw new PackGenerationError(part.name, `generation failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      }
      checkWritten(part.name, modelsDir, files, claimed);
      // Files an earlier version of this part wrote but this one no longer does.
      for (const rel of old?.parts[part.name]?.files ?? []) {
        if (!files.includes(rel)) fs.rmSync(path.join(modelsDir, rel), { force: true });
      }
      manifest.parts[part.name] = { generator, files };
      generated.push(part.name);
      opts.onProgress?.({ phase: 'done', part: part.name, files, ms: performance.now() - started });
    }
    for (const [name, entry] of Object.entries(manifest.parts)) {
      const fresh = generated.includes(name);
      for (const rel of entry.files) manifest.files[rel] = fresh || !old?.files[rel] ? sha256File(path.join(modelsDir, rel)) : old.files[rel];
    }
    manifest.generator = combinedGeneratorHash(Object.fromEntries(Object.entries(manifest.parts).map(([n, e]) => [n, e.generator])));
    if (generated.length || !old || JSON.stringify(old) !== JSON.stringify(manifest)) writeManifest(modelsDir, manifest);
    return { modelsDir, manifest, generated, ms: performance.now() - t0 };
  });
}

/** Parts that ensurePack would regenerate, with the reason; empty when the pack is up to date. */
export function stalePackParts(modelsDir: string = defaultModelsDir(), parts: readonly PackPart[] = PACK_PARTS): { part: string; reason: string }[] {
  const manifest = readManifest(modelsDir);
  return parts.flatMap((part) => {
    const reason = partStaleReason(modelsDir, manifest, part, partGeneratorHash(part));
    return reason === null ? [] : [{ part: part.name, reason }];
  });
}
