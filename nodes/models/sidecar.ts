// The optional `<name>.json` beside a loose model file: scheduler config, preview factors, VAE scaling.
import fs from 'node:fs';
import { ModelFormatError } from './errors';

export function sidecarPath(file: string): string {
  return file.replace(/\.onnx$/i, '') + '.json';
}

/** The optional JSON next to a loose model file; {} when there is none. */
export function readSidecar(file: string): Record<string, unknown> {
  const p = sidecarPath(file);
  if (!fs.existsSync(p)) return {};
  try {
    const v = JSON.parse(fs.readFileSync(p, 'utf8'));
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch (e) {
    throw new ModelFormatError(p, `is not valid JSON (${(e as Error).message})`);
  }
  throw new ModelFormatError(p, 'must hold a JSON object');
}
