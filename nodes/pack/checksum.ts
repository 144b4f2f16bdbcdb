// The pack manifest (models/.pack.json): a hash of each part's generator sources and the sha256 of
// every file it wrote, so a start-up check can tell which parts are missing, corrupt or out of date.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../paths';
import type { PackPart } from './part';

export const MANIFEST_FILE = '.pack.json';
/** Bump when the manifest layout or the meaning of a hash changes. */
const MANIFEST_VERSION = 1;

export interface PackManifest {
  version: number;
  /** Hash over every part's generator hash: changes whenever any generator source changes. */
  generator: string;
  parts: Record<string, { generator: string; files: string[] }>;
  /** models-relative path ('/'-separated) -> sha256 hex. */
  files: Record<string, string>;
}

export class PackSourceError extends Error {
  readonly code = 'pack_source';
  constructor(readonly part: string, readonly file: string, cause: unknown) {
    super(`pack part "${part}" lists generator source ${file}, which cannot be read (${cause instanceof Error ? cause.message : cause}); ` +
      'fix the part\'s `sources` list', { cause });
    this.name = 'PackSourceError';
  }
}

export function sha256File(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/**
 * sha256 over the part's name and, for each source in path order, its project-relative path and
 * content hash: moving the project does not invalidate the pack, editing a source does.
 */
export function partGeneratorHash(part: PackPart): string {
  const h = crypto.createHash('sha256').update(`stepflow-pack/${MANIFEST_VERSION}\0${part.name}\0`);
  const sources = part.sources.map((abs) => ({ abs, rel: path.relative(PROJECT_ROOT, abs).split(path.sep).join('/') }));
  sources.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  for (const { abs, rel } of sources) {
    let digest: string;
    try {
      digest = sha256File(abs);
    } catch (e) {
      throw new PackSourceError(part.name, abs, e);
    }
    h.update(`${rel}\0${digest}\0`);
  }
  return h.digest('hex');
}

export function combinedGeneratorHash(partHashes: Record<string, string>): string {
  const h = crypto.createHash('sha256').update(`stepflow-pack/${MANIFEST_VERSION}\0`);
  for (const name of Object.keys(partHashes).sort()) h.update(`${name}\0${partHashes[name]}\0`);
  return h.digest('hex');
}

export function readManifest(modelsDir: string): PackManifest | null {
  try {
    const m = JSON.parse(fs.readFileSync(path.join(modelsDir, MANIFEST_FILE), 'utf8')) as PackManifest;
    if (m?.version !== MANIFEST_VERSION || typeof m.parts !== 'object' || typeof m.files !== 'object') return null;
    return m;
  } catch {
    return null; // missing or unreadable: everything is regenerated
  }
}

/** Written to a temporary name first, so a crash never leaves a half-written manifest behind. */
export function writeManifest(modelsDir: string, manifest: PackManifest): void {
  fs.mkdirSync(modelsDir, { recursive: true });
  const file = path.join(modelsDir, MANIFEST_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(manifest, null, 2) + '\n');
  fs.renameSync(tmp, file);
}

/** Why a part must be regenerated, or null when its files are all present and intact. */
export function partStaleReason(modelsDir: string, manifest: PackManifest | null, part: PackPart, generator: string): string | null {
  const entry = manifest?.parts[part.name];
  if (!manifest || !entry) return 'not generated yet';
  if (entry.generator !== generator) return 'its generator changed';
  for (const rel of entry.files) {
    const file = path.join(modelsDir, rel);
    if (!fs.existsSync(file)) return `${rel} is missing`;
    if (sha256File(file) !== manifest.files[rel]) return `${rel} was modified or is corrupt`;
  }
  return null;
}
