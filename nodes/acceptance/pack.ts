// The model pack for the acceptance tests: the built-in pack in the models directory (MODELS_DIR or
// <project>/models), generated on first use and reused while its generator sources are unchanged.
import { ensurePack } from '../pack/generate';

export async function acceptanceModelsDir(): Promise<string> {
  return (await ensurePack()).modelsDir;
}
