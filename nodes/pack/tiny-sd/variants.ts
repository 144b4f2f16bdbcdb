// Pack part: the tiny SD-shaped checkpoint again in float16 (models/checkpoints/tiny-sd-fp16, for GPUs) and
// int8 (models/checkpoints/tiny-sd-int8, for CPUs), each a complete diffusers ONNX folder. Separate folders,
// not model.fp16.onnx files beside model.onnx: the checkpoint loader and the picker take them unchanged, a
// graph names the precision it was made with, and that is how fp16/int8 SD exports are published anyway.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readModel } from '../../onnx/model-io';
import { saveModel } from '../../onnx/model-file';
import { convertToFloat16 } from '../../onnx/precision/float16';
import { quantizeDynamic } from '../../onnx/precision/quantize';
import type { INodeProto, ModelProto } from '../../onnx/proto';
import { ClipTokenizer } from '../../text';
import { writePipelineIndex } from '../diffusers-layout';
import type { PackPart } from '../part';
import { buildTinyTextEncoder } from './text-encoder';
import { buildTinyUnet } from './unet';
import { buildTinyVaeDecoder, buildTinyVaeEncoder } from './vae';

export type TinySdPrecision = 'fp16' | 'int8';

export const TINY_SD_VARIANTS: Record<TinySdPrecision, string> = {
  fp16: 'checkpoints/tiny-sd-fp16',
  int8: 'checkpoints/tiny-sd-int8',
};

/**
 * diffusers computes the timestep embedding in float32 and casts after; so do we: its sin/cos arguments reach
 * 999 x 1, where float16 values are 0.5 apart (a phase error of up to a quarter radian).
 */
const timeProjection = (n: INodeProto) => (n.name ?? '').startsWith('/time_proj/');

export interface TinySdModels {
  unet: ModelProto;
  textEncoder: ModelProto;
  vaeDecoder: ModelProto;
  vaeEncoder: ModelProto;
}

export function tinySdFloat32(): TinySdModels {
  return {
    unet: readModel(buildTinyUnet().graph.toBytes()),
    textEncoder: readModel(buildTinyTextEncoder().graph.toBytes()),
    vaeDecoder: readModel(buildTinyVaeDecoder().toBytes()),
    vaeEncoder: readModel(buildTinyVaeEncoder().toBytes()),
  };
}

/**
 * fp16: every component in float16, inputs and outputs too (the loaders convert feeds and widen outputs).
 * int8: U-Net and text encoder dynamically quantised; the VAE stays float32, since its error would land on
 * every pixel directly and it is a small share of the work (Optimum and Olive leave it unquantised too).
 */
export function tinySdVariant(precision: TinySdPrecision, base: TinySdModels = tinySdFloat32()): TinySdModels {
  if (precision === 'fp16') {
    const half = (m: ModelProto, keepFloat32?: (n: INodeProto) => boolean) => convertToFloat16(m, { keepFloat32 }).model;
    return { unet: half(base.unet, timeProjection), textEncoder: half(base.textEncoder), vaeDecoder: half(base.vaeDecoder), vaeEncoder: half(base.vaeEncoder) };
  }
  return { ...base, unet: quantizeDynamic(base.unet).model, textEncoder: quantizeDynamic(base.textEncoder).model };
}

export async function writeTinySdVariants(modelsDir: string): Promise<string[]> {
  const base = tinySdFloat32();
  const tokenizer = ClipTokenizer.fromOpenAiGz();
  const written: string[] = [];
  for (const precision of ['fp16', 'int8'] as const) {
    const rel = TINY_SD_VARIANTS[precision];
    const dir = path.join(modelsDir, rel);
    fs.rmSync(dir, { recursive: true, force: true });
    writePipelineIndex(dir);
    tokenizer.writeHfFolder(path.join(dir, 'tokenizer'));
    const m = tinySdVariant(precision, base);
    saveModel(m.unet, path.join(dir, 'unet', 'model.onnx'), { externalData: { location: 'weights.pb' } });
    saveModel(m.textEncoder, path.join(dir, 'text_encoder', 'model.onnx'));
    saveModel(m.vaeDecoder, path.join(dir, 'vae_decoder', 'model.onnx'));
    saveModel(m.vaeEncoder, path.join(dir, 'vae_encoder', 'model.onnx'));
    const files = (sub: string): string[] => fs.readdirSync(path.join(modelsDir, sub), { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? files(`${sub}/${e.name}`) : [`${sub}/${e.name}`]));
    written.push(...files(rel));
  }
  return written.sort();
}

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export const variantsPart: PackPart = {
  name: 'tiny-sd-precision',
  sources: [
    here('./variants.ts'), here('./layers.ts'), here('./unet.ts'), here('./text-encoder.ts'), here('./vae.ts'),
    here('../diffusers-layout.ts'), here('../../models/defaults.ts'),
    here('../../onnx/builder.ts'), here('../../onnx/proto.ts'), here('../../onnx/model-io.ts'), here('../../onnx/model-file.ts'),
    here('../../onnx/precision/float16.ts'), here('../../onnx/precision/quantize.ts'), here('../../onnx/precision/element-types.ts'),
    here('../../onnx/precision/graph-edit.ts'), here('../../runtime/float16.ts'),
    here('../../text/bpe-files.ts'), here('../../text/bpe-vocab.ts'), here('../../text/clip-tokenizer.ts'), here('../../text/data/bpe_simple_vocab_16e6.txt.gz'),
  ],
  generate: writeTinySdVariants,
};
