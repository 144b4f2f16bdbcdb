// Pack part: the esrgan-slim upscalers again in float16 (models/upscalers/esrgan-slim-x4-fp16.onnx, for GPUs)
// and int8 (esrgan-slim-x4-int8.onnx, for CPUs). int8 is static QDQ: a CNN's activations are calibrated once
// here rather than measured at every run, which is what lets ONNX Runtime run the convs as uint8 QLinearConv.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { readModel, writeModel } from '../../onnx/model-io';
import { RangeCollector, withTensorOutputs, type TensorRange } from '../../onnx/precision/calibration';
import { convertToFloat16 } from '../../onnx/precision/float16';
import { quantizeStatic } from '../../onnx/precision/qdq';
import type { ModelProto } from '../../onnx/proto';
import { decodeImage } from '../../runtime/image';
import type { Tensor } from '../../runtime/tensor';
import type { PackPart } from '../part';
import { INPUT_NAME } from './convert';
import { ESRGAN_SLIM_RANGE, PACK_SCALES, esrganSlimDir, esrganSlimFiles } from './esrgan-slim';
import { convertEsrganSlim, upscalerFileName } from './part';

export type UpscalerPrecision = 'fp16' | 'int8';
export const UPSCALER_PRECISIONS: readonly UpscalerPrecision[] = ['fp16', 'int8'];

export function upscalerVariantFileName(scale: number, precision: UpscalerPrecision): string {
  return upscalerFileName(scale).replace(/\.onnx$/, `-${precision}.onnx`);
}

/**
 * Calibration images: four 64² crops of the package's 4x sample result (a photo, not the 128² fixture that
 * tests and the bench measure on, so the measured error is not on the images the ranges came from), plus a
 * 4-pixel checkerboard and per-pixel noise. Without the two extremes, edges sharper than the photo's push
 * activations past their calibrated range and single pixels clip by up to 28/255; with them the worst pixel
 * on the fixture is about 5/255, at the cost of a slightly coarser step everywhere.
 */
const CALIBRATION_IMAGE = 'assets/samples/4x/result.png';
const CALIBRATION_CROPS: readonly [number, number][] = [[0, 0], [192, 64], [320, 320], [64, 384]];
const CALIBRATION_SIZE = 64;

/** Deterministic synthetic RGB images in [0, 1]: integer arithmetic only, the same bits on every machine. */
function syntheticImage(kind: 'checker' | 'noise', n = CALIBRATION_SIZE): Tensor {
  const data = new Float32Array(3 * n * n);
  let state = 0x9e3779b9;
  for (let i = 0; i < data.length; i++) {
    const x = i % n, y = Math.floor(i / n) % n;
    if (kind === 'checker') data[i] = ((x >> 2) + (y >> 2)) % 2;
    else {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      data[i] = (state >>> 24) / 255;
    }
  }
  return { data, dims: [1, 3, n, n] };
}

export async function calibrationImages(): Promise<Tensor[]> {
  const file = path.join(esrganSlimDir(), CALIBRATION_IMAGE);
  const crops = await Promise.all(CALIBRATION_CROPS.map(async ([left, top]) => decodeImage(
    await sharp(file).removeAlpha().extract({ left, top, width: CALIBRATION_SIZE, height: CALIBRATION_SIZE }).png().toBuffer(),
  )));
  return [...crops, syntheticImage('checker'), syntheticImage('noise')];
}

/** Min/max of every float tensor over the calibration images, run by ONNX Runtime on one thread (repeatable sums). */
export async function calibrate(model: ModelProto, images: readonly Tensor[]): Promise<Map<string, TensorRange>> {
  // Imported here: only generation needs the runtime, not the part list the server's start-up check reads.
  const { OnnxRuntime, outputFloat32 } = await import('../../runtime/onnx');
  const runtime = new OnnxRuntime({ provider: 'cpu', intraOpThreads: 1, budgetBytes: 1 << 30, onWarning: () => undefined });
  try {
    const { model: probe, tensors } = withTensorOutputs(model);
    const session = await runtime.session('esrgan-calibration', { bytes: writeModel(probe) });
    const collector = new RangeCollector();
    for (const image of images) {
      collector.add(INPUT_NAME, image.data);
      const outputs = await session.run({ [INPUT_NAME]: image });
      for (const name of tensors) collector.add(name, outputFloat32(outputs[name]));
    }
    const ranges = collector.ranges();
    // The first conv sees pixels × 255: with the exact range [0, 255] an 8-bit image quantises without error.
    const scaled = model.graph?.node?.find((n) => n.name === '/input_range/Mul')?.output?.[0];
    if (scaled) ranges.set(scaled, { min: 0, max: ESRGAN_SLIM_RANGE });
    return ranges;
  } finally {
    await runtime.dispose();
  }
}

/** The variant's ONNX bytes; `fp32` is the converted model it starts from (convertEsrganSlim by default). */
export async function esrganVariant(scale: number, precision: UpscalerPrecision, fp32: Uint8Array = convertEsrganSlim(scale)): Promise<Uint8Array> {
  const base = readModel(fp32);
  const model = precision === 'fp16'
    ? convertToFloat16(base).model
    : quantizeStatic(base, await calibrate(base, await calibrationImages())).model;
  const note = precision === 'fp16'
    ? 'float16 weights, activations, input and output (meant for GPUs)'
    : `int8 QDQ: per-channel int8 weights, uint8 activations calibrated on ${CALIBRATION_CROPS.length} crops of ${CALIBRATION_IMAGE}, a checkerboard and noise (meant for CPUs)`;
  model.metadataProps = [...(model.metadataProps ?? []).filter((p) => p.key !== 'precision'), { key: 'precision', value: `${precision}: ${note}` }];
  return writeModel(model);
}

const own = (f: string) => fileURLToPath(new URL(f, import.meta.url));

export const esrganVariantsPart: PackPart = {
  name: 'esrgan-precision',
  get sources() {
    const code = ['./variants.ts', './part.ts', './convert.ts', './layer-ops.ts', './layers-model.ts', './esrgan-slim.ts',
      '../../onnx/builder.ts', '../../onnx/fold-upsample-conv.ts', '../../onnx/proto.ts', '../../onnx/model-io.ts', '../../runtime/float16.ts',
      '../../runtime/image.ts',
      '../../onnx/precision/float16.ts', '../../onnx/precision/qdq.ts', '../../onnx/precision/calibration.ts',
      '../../onnx/precision/element-types.ts', '../../onnx/precision/graph-edit.ts'].map(own);
    return [...code, ...PACK_SCALES.flatMap(esrganSlimFiles), path.join(esrganSlimDir(), CALIBRATION_IMAGE)];
  },
  async generate(modelsDir) {
    const dir = path.join(modelsDir, 'upscalers');
    fs.mkdirSync(dir, { recursive: true });
    const written: string[] = [];
    for (const scale of PACK_SCALES) {
      const fp32 = convertEsrganSlim(scale);
      for (const precision of UPSCALER_PRECISIONS) {
        const file = upscalerVariantFileName(scale, precision);
        fs.writeFileSync(path.join(dir, file), await esrganVariant(scale, precision, fp32));
        written.push(`upscalers/${file}`);
      }
    }
    return written;
  },
};
