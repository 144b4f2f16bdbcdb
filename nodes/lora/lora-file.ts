// A LoRA file in memory: one entry per patched module with its down/up matrices and alpha.
import { readSafetensors, SafetensorsError, type SafetensorsFile } from '../runtime/safetensors';
import { groupLoraKeys, type LoraComponent } from './keys';

export interface LoraModule {
  component: LoraComponent;
  /** Normalised module path (see normaliseModule). */
  module: string;
  /** The file's key for the down matrix, named in reports. */
  key: string;
  rank: number;
  /** down: [rank, in(, kh, kw)] flattened to [rank, inFeatures]. */
  down: Float32Array;
  inFeatures: number;
  /** up: [out, rank(, 1, 1)] flattened to [out, rank]. */
  up: Float32Array;
  outFeatures: number;
  /** Scale numerator; the merge uses alpha / rank, and alpha defaults to rank (scale 1). */
  alpha: number;
}

export interface LoraFile {
  file: string;
  modules: LoraModule[];
  /** Keys that are not LoRA down/up/alpha tensors or lack their partner. */
  unrecognised: string[];
  metadata: Record<string, string>;
}

export function loadLoraFile(file: string): LoraFile {
  return loraFromSafetensors(readSafetensors(file));
}

export function loraFromSafetensors(st: SafetensorsFile): LoraFile {
  const { modules: grouped, unrecognised } = groupLoraKeys(st.names());
  const modules: LoraModule[] = [];
  for (const g of grouped) {
    const downShape = st.entry(g.down).shape;
    const upShape = st.entry(g.up).shape;
    const rank = downShape[0];
    if (downShape.length < 2 || upShape.length < 2 || upShape[1] !== rank || upShape.slice(2).some((d) => d !== 1)) {
      throw new SafetensorsError(st.file, g.up,
        `LoRA shapes do not pair: down [${downShape.join(', ')}] with up [${upShape.join(', ')}] (expected up [out, ${rank}(, 1, 1)])`);
    }
    const alphaValues = g.alpha ? st.float32(g.alpha) : undefined;
    if (alphaValues && alphaValues.length !== 1) throw new SafetensorsError(st.file, g.alpha, `alpha must be one number, got ${alphaValues.length}`);
    modules.push({
      component: g.component,
      module: g.module,
      key: g.down,
      rank,
      down: st.float32(g.down),
      inFeatures: downShape.slice(1).reduce((a, b) => a * b, 1),
      up: st.float32(g.up),
      outFeatures: upShape[0],
      alpha: alphaValues ? alphaValues[0] : rank,
    });
  }
  return { file: st.file, modules, unrecognised, metadata: st.metadata };
}
