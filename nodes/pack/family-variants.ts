// Pack parts: float16 and int8 copies of the tiny SDXL, SD3 and Flux checkpoints (checkpoints/tiny-sdxl-fp16,
// tiny-sdxl-int8, tiny-sd3-fp16, ...), made from the float32 folders their own parts wrote, by the rules of
// tiny-sd's variants (tiny-sd/variants.ts): complete folders beside the float32 one, so the loaders and the
// picker take them as they are. Read from disk rather than rebuilt, so whatever a family's part puts in its
// folder (another encoder, say) gets its variant without this file knowing.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inlineExternalData, readModel } from '../onnx/model-io';
import { saveModel } from '../onnx/model-file';
import { convertToFloat16 } from '../onnx/precision/float16';
import { quantizeDynamic } from '../onnx/precision/quantize';
import type { INodeProto, ModelProto } from '../onnx/proto';
import type { PackPart } from './part';
import { part as tinyFluxPart, TINY_FLUX_CHECKPOINT } from './tiny-flux/part';
import { part as tinySd3Part, TINY_SD3_CHECKPOINT } from './tiny-sd3/part';
import { part as tinySdxlPart, TINY_SDXL_CHECKPOINT } from './tiny-sdxl/part';
import { listFiles } from './tiny-sd3/folder';

export type FamilyPrecision = 'fp16' | 'int8';
export const FAMILY_PRECISIONS: readonly FamilyPrecision[] = ['fp16', 'int8'];

/** The variant folder of a float32 checkpoint folder: checkpoints/tiny-sdxl -> checkpoints/tiny-sdxl-fp16. */
export const variantFolder = (checkpoint: string, precision: FamilyPrecision) => `${checkpoint}-${precision}`;

/**
 * Sinusoidal embeddings stay float32, as diffusers computes them: their arguments reach 1000 (timestep, Flux's
 * guidance x 1000) or 1024 (SDXL's time ids), where float16 values are 0.5 apart, a phase error of up to a
 * quarter radian. The U-Net's are /time_proj/ and /add_time_proj/, the transformers' /time_text_embed/<x>_proj/
 * and Flux's x 1000 in front of them.
 */
const SINUSOID = /^\/(time_proj|add_time_proj|time_text_embed\/(time_proj|guidance_proj|time|guidance))\//;
const sinusoid = (n: INodeProto) => SINUSOID.test(n.name ?? '');

/** Component folders the int8 variant quantises: the denoiser and the text encoders (the VAE stays float32, as in tiny-sd-int8). */
const INT8_COMPONENT = /^(unet|transformer|text_encoder(_\d+)?)$/;

/** Side files: the denoisers keep their weights beside the graph, as the float32 folder does. */
const SIDE_FILE = 'weights.pb';

function convert(model: ModelProto, component: string, precision: FamilyPrecision): ModelProto | undefined {
  if (precision === 'fp16') return convertToFloat16(model, { keepFloat32: sinusoid }).model;
  return INT8_COMPONENT.test(component) ? quantizeDynamic(model).model : undefined;
}

/** Writes `checkpoint`'s fp16 and int8 folders under `modelsDir` from its float32 folder there. */
export function writeFamilyVariants(modelsDir: string, checkpoint: string): string[] {
  const source = path.join(modelsDir, checkpoint);
  const written: string[] = [];
  for (const precision of FAMILY_PRECISIONS) {
    const target = path.join(modelsDir, variantFolder(checkpoint, precision));
    fs.rmSync(target, { recursive: true, force: true });
    for (const rel of listFiles(source, source)) {
      const from = path.join(source, rel);
      const to = path.join(target, rel);
      const component = path.dirname(rel);
      if (path.basename(rel) === SIDE_FILE) continue; // written with its model.onnx
      if (path.basename(rel) !== 'model.onnx') {
        fs.mkdirSync(path.dirname(to), { recursive: true });
        fs.copyFileSync(from, to);
        continue;
      }
      const external = fs.existsSync(path.join(path.dirname(from), SIDE_FILE));
      const model = convert(inlineExternalData(readModel(fs.readFileSync(from)), path.dirname(from)), component, precision);
      if (!model) {
        fs.mkdirSync(path.dirname(to), { recursive: true });
        fs.copyFileSync(from, to);
        if (external) fs.copyFileSync(path.join(path.dirname(from), SIDE_FILE), path.join(path.dirname(to), SIDE_FILE));
        continue;
      }
      saveModel(model, to, external ? { externalData: { location: SIDE_FILE } } : {});
    }
    written.push(...listFiles(modelsDir, target));
  }
  return written.sort();
}

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const CONVERTER_SOURCES = [
  here('./family-variants.ts'), here('../onnx/model-io.ts'), here('../onnx/model-file.ts'), here('../onnx/proto.ts'),
  here('../onnx/precision/float16.ts'), here('../onnx/precision/quantize.ts'), here('../onnx/precision/element-types.ts'),
  here('../onnx/precision/graph-edit.ts'), here('../runtime/float16.ts'),
];

/** A variants part regenerates whenever its float32 part would (its sources are included). */
function variantsPart(source: PackPart, checkpoint: string): PackPart {
  return {
    name: `${source.name}-precision`,
    sources: [...new Set([...CONVERTER_SOURCES, ...source.sources])],
    generate: async (modelsDir) => writeFamilyVariants(modelsDir, checkpoint),
  };
}

export const tinySdxlVariantsPart = variantsPart(tinySdxlPart, TINY_SDXL_CHECKPOINT);
export const tinySd3VariantsPart = variantsPart(tinySd3Part, TINY_SD3_CHECKPOINT);
export const tinyFluxVariantsPart = variantsPart(tinyFluxPart, TINY_FLUX_CHECKPOINT);
