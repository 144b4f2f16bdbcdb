// Default locations of the project's folders (overridable by environment variables).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function defaultModelsDir(): string {
  return process.env.MODELS_DIR ?? path.join(PROJECT_ROOT, 'models');
}

export function defaultDataDir(): string {
  return process.env.DATA_DIR ?? path.join(PROJECT_ROOT, 'data');
}

/** Uploads first, then the example inputs shipped with the workflows. */
export function defaultInputDirs(): string[] {
  return [path.join(defaultDataDir(), 'inputs'), path.join(PROJECT_ROOT, 'workflows', 'inputs')];
}

export const WORKFLOWS_DIR = path.join(PROJECT_ROOT, 'workflows');
