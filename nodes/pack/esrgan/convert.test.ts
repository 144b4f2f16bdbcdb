import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnnxRuntime } from '../../runtime/onnx';
import type { Tensor } from '../../runtime/tensor';
import { readModel } from '../../onnx/model-io';
import type { IValueInfoProto } from '../../onnx/proto';
import { convertLayersModel, INPUT_NAME, OUTPUT_NAME } from './convert';
import { parseLayersModel, readLayersModel, type LayersModel } from './layers-model';
import { LayerConversionError } from './layer-ops';
import { ESRGAN_SLIM_RANGE, esrganSlimDir, esrganSlimModelJson } from './esrgan-slim';
import { loadTfjsModel, predictNchw, tf } from './tfjs-reference';

let rt: OnnxRuntime;
beforeAll(() => {
  rt = new OnnxRuntime({ provider: 'cpu', budgetBytes: 1 << 30, onWarning: () => undefined });
});
afterAll(() => rt.dispose());

async function runOnnx(bytes: Uint8Array, image: Tensor): Promise<Tensor> {
  const s = await rt.session(`convert-test-${Math.random()}`, { bytes });
  const out = (await s.run({ [INPUT_NAME]: image }))[OUTPUT_NAME];
  await s.dispose();
  return { data: out.data as Float32Array, dims: out.dims };
}

function maxAbsDiff(a: Tensor, b: Tensor): number {
  expect(a.dims).toEqual(b.dims);
  let m = 0;
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(a.data[i] - b.data[i]));
  return m;
}

/** A `size`² crop of the package's fixture (a hibiscus photo) at (x, y), NCHW in [0,1]. */
async function fixtureCrop(x: number, y: number, size: number): Promise<Tensor> {
  const { data } = await sharp(path.join(esrganSlimDir(), 'assets/fixture.png')).removeAlpha()
    .extract({ left: x, top: y, width: size, height: size }).raw().toBuffer({ resolveWithObject: true });
  const plane = size * size;
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) out[c * plane + i] = data[i * 3 + c] / 255;
  return { data: out, dims: [1, 3, size, size] };
}

describe('esrgan-slim conversion (acceptance: ONNX equals the original TF.js model)', () => {
  const CROP = { x: 48, y: 48, size: 32 };

  for (const scale of [4, 2]) {
    it(`x${scale}: converted ONNX output is within 1/255 of TF.js on a 32x32 photo crop`, async () => {
      const layers = readLayersModel(esrganSlimModelJson(scale));
      const converted = convertLayersModel(layers, { modelRange: ESRGAN_SLIM_RANGE, expectScale: scale });
      expect(converted.scale).toBe(scale);
      const image = await fixtureCrop(CROP.x, CROP.y, CROP.size);
      const onnxOut = await runOnnx(converted.bytes, image);
      expect(onnxOut.dims).toEqual([1, 3, 32 * scale, 32 * scale]);
      const tfjsOut = predictNchw(await loadTfjsModel(esrganSlimModelJson(scale)), image, ESRGAN_SLIM_RANGE);
      expect(maxAbsDiff(onnxOut, tfjsOut)).toBeLessThan(1 / 255);
      // A super-resolved image keeps the mean colour of its source.
      const mean = (t: Tensor) => t.data.reduce((a, v) => a + v, 0) / t.data.length;
      expect(Math.abs(mean(onnxOut) - mean(image))).toBeLessThan(0.01);
    });
  }

  it('matches the package\'s published 4x sample (result.png) away from the crop border, so the [0,255] range is right', async () => {
    const image = await fixtureCrop(CROP.x, CROP.y, CROP.size);
    const out = await runOnnx(convertLayersModel(readLayersModel(esrganSlimModelJson(4)), { modelRange: ESRGAN_SLIM_RANGE }).bytes, image);
    const ref = await sharp(path.join(esrganSlimDir(), 'assets/samples/4x/result.png')).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const border = 12; // low-res pixels whose receptive field leaves the crop
    const side = 32 * 4, plane = side * side;
    let sum = 0, n = 0;
    for (let y = border * 4; y < side - border * 4; y++) {
      for (let x = border * 4; x < side - border * 4; x++) {
        for (let c = 0; c < 3; c++) {
          const refValue = ref.data[((CROP.y * 4 + y) * ref.info.width + CROP.x * 4 + x) * 3 + c];
          sum += Math.abs(out.data[c * plane + y * side + x] * 255 - refValue);
          n++;
        }
      }
    }
    expect(sum / n).toBeLessThan(0.6); // 8-bit rounding of result.png; a [0,1]-range conversion is ~3 off
  });

  it('writes scale, layout and range metadata and declares dynamic NCHW input and output', () => {
    const model = readModel(convertLayersModel(readLayersModel(esrganSlimModelJson(2)), { modelRange: 255, metadata: { license: 'MIT' } }).bytes);
    const meta = Object.fromEntries((model.metadataProps ?? []).map((p) => [p.key, p.value]));
    expect(meta).toEqual({ license: 'MIT', scale: '2', layout: 'NCHW', range: '0-1' });
    const graph = model.graph!;
    const dims = (v: IValueInfoProto) => v.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue));
    expect(dims(graph.input![0])).toEqual(['batch', 3, 'height', 'width']);
    expect(dims(graph.output![0])).toEqual(['batch', 3, 'out_height', 'out_width']);
    const ops = new Set(graph.node!.map((n) => n.opType));
    // The nearest UpSampling2D + Conv2D tail runs as a low-resolution conv + DepthToSpace (fold-upsample-conv.ts).
    expect([...ops].sort()).toEqual(['Add', 'Clip', 'Concat', 'Conv', 'DepthToSpace', 'Identity', 'Mul', 'Relu']);
    const unfolded = readModel(convertLayersModel(readLayersModel(esrganSlimModelJson(2)), { modelRange: 255, foldUpsample: false }).bytes);
    expect(unfolded.graph!.node!.filter((n) => n.opType === 'Resize').length).toBe(1);
  });
});

// UpscalerJS's ESRGAN custom layers (registered the way its model definitions do).
class PixelShuffle2x extends tf.layers.Layer {
  static className = 'PixelShuffle2x';
  override computeOutputShape(s: tf.Shape | tf.Shape[]): tf.Shape {
    const [b, h, w, c] = s as number[];
    return [b, h === null ? null : h * 2, w === null ? null : w * 2, c / 4] as tf.Shape;
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.depthToSpace((Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D, 2, 'NHWC');
  }
}
class MultiplyBeta extends tf.layers.Layer {
  static className = 'MultiplyBeta';
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.mul(Array.isArray(inputs) ? inputs[0] : inputs, 0.2);
  }
}
tf.serialization.registerClass(PixelShuffle2x);
tf.serialization.registerClass(MultiplyBeta);

/** The layers model tfjs would write to model.json + shards, parsed by our reader. */
async function exported(model: tf.LayersModel): Promise<LayersModel> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  const weightData = artifacts!.weightData as ArrayBuffer;
  return parseLayersModel(
    { format: 'layers-model', modelTopology: artifacts!.modelTopology as Record<string, unknown>, weightsManifest: [] },
    [{ specs: artifacts!.weightSpecs as never, bytes: new Uint8Array(weightData) }],
  );
}

/** Deterministic weights so every conv does something (tfjs's default init uses Math.random). */
function setWeights(model: tf.LayersModel): void {
  let k = 1;
  for (const layer of model.layers) {
    const ws = layer.getWeights();
    if (!ws.length) continue;
    layer.setWeights(ws.map((w) => tf.tensor(Float32Array.from({ length: w.size }, () => ((k = (k * 48271) % 2147483647) / 2147483647 - 0.5) * 0.6), w.shape)));
  }
}

describe('generic layer conversion (every supported layer class against TF.js)', () => {
  function image(c: number, h: number, w: number): Tensor {
    return { data: Float32Array.from({ length: c * h * w }, (_, i) => 0.5 + 0.4 * Math.sin(i * 0.37)), dims: [1, c, h, w] };
  }

  it('Conv2D (same/valid, even kernel, strides, dilation, activations), merges, ReLU variants, UpSampling2D, PixelShuffle, MultiplyBeta', async () => {
    const L = tf.layers;
    const x = L.input({ shape: [null, null, 3], name: 'LR' }) as tf.SymbolicTensor;
    const a = L.conv2d({ name: 'a', filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(x) as tf.SymbolicTensor;
    const b = L.conv2d({ name: 'b', filters: 8, kernelSize: 4, padding: 'same', activation: 'tanh' }).apply(a) as tf.SymbolicTensor; // even kernel: TF pads 1 before, 2 after
    const c = L.conv2d({ name: 'c', filters: 8, kernelSize: 3, padding: 'same', dilationRate: 2, useBias: false }).apply(b) as tf.SymbolicTensor;
    const sum = L.add({ name: 'sum' }).apply([a, b, c]) as tf.SymbolicTensor;
    const beta = new MultiplyBeta({ name: 'beta' }).apply(sum) as tf.SymbolicTensor;
    const leaky = L.leakyReLU({ name: 'leaky', alpha: 0.1 }).apply(beta) as tf.SymbolicTensor;
    const cat = L.concatenate({ name: 'cat', axis: -1 }).apply([leaky, a]) as tf.SymbolicTensor;
    const mul = L.multiply({ name: 'mul' }).apply([cat, cat]) as tf.SymbolicTensor;
    const relu6 = L.reLU({ name: 'relu6', maxValue: 6 }).apply(mul) as tf.SymbolicTensor;
    const down = L.conv2d({ name: 'down', filters: 12, kernelSize: 3, strides: 2, padding: 'same', activation: 'sigmoid' }).apply(relu6) as tf.SymbolicTensor;
    const shuffled = new PixelShuffle2x({ name: 'shuffle' }).apply(down) as tf.SymbolicTensor; // back to full size, 3 channels
    const bil = L.upSampling2d({ name: 'up_bilinear', size: [2, 2], interpolation: 'bilinear' }).apply(shuffled) as tf.SymbolicTensor;
    const valid = L.conv2d({ name: 'valid', filters: 3, kernelSize: 1, padding: 'valid', activation: 'sigmoid' }).apply(bil) as tf.SymbolicTensor;
    const near = L.upSampling2d({ name: 'up_nearest', size: [2, 2] }).apply(valid) as tf.SymbolicTensor;
    const model = tf.model({ inputs: x, outputs: near, name: 'tiny' });
    setWeights(model);

    const converted = convertLayersModel(await exported(model), { modelRange: 1 });
    expect(converted.scale).toBe(4); // /2 (stride) x2 (shuffle) x2 x2
    const img = image(3, 10, 14); // even sizes: the stride-2 conv's output doubles back to the input size
    const onnxOut = await runOnnx(converted.bytes, img);
    const tfjsOut = predictNchw(model, img, 1);
    expect(onnxOut.dims).toEqual([1, 3, 40, 56]);
    expect(maxAbsDiff(onnxOut, tfjsOut)).toBeLessThan(2e-5);
  });

  it('PixelShuffle is DepthToSpace in DCR order: a CRD graph would disagree with TF.js', async () => {
    const x = tf.layers.input({ shape: [null, null, 8] }) as tf.SymbolicTensor;
    const model = tf.model({ inputs: x, outputs: new PixelShuffle2x({ name: 'ps' }).apply(x) as tf.SymbolicTensor });
    const img = image(8, 3, 3);
    const onnxOut = await runOnnx(convertLayersModel(await exported(model), { modelRange: 1 }).bytes, img);
    const ref = predictNchw(model, img, 1);
    expect(maxAbsDiff(onnxOut, ref)).toBe(0);
    // Output pixel (0,1) channel 0 comes from input channel (i*2+j)*C + c = 1*2 + 0 = 2 (DCR), not c*4 + 1 = 1 (CRD).
    expect(onnxOut.data[1]).toBe(img.data[2 * 9]);
    expect(onnxOut.data[1]).not.toBe(img.data[1 * 9]);
  });

  it('names the layer and its class when the class is not supported', async () => {
    const x = tf.layers.input({ shape: [null, null, 3] }) as tf.SymbolicTensor;
    const bn = tf.layers.batchNormalization({ name: 'norm1' }).apply(x) as tf.SymbolicTensor;
    const model = tf.model({ inputs: x, outputs: bn });
    const layers = await exported(model);
    expect(() => convertLayersModel(layers, { modelRange: 1 })).toThrow(LayerConversionError);
    expect(() => convertLayersModel(layers, { modelRange: 1 })).toThrow(/layer "norm1" \(BatchNormalization\): layer class "BatchNormalization" is not supported; the converter knows InputLayer, Conv2D/);
  });

  it('refuses a model whose layers upscale by another factor than expected', () => {
    expect(() => convertLayersModel(readLayersModel(esrganSlimModelJson(2)), { modelRange: 255, expectScale: 4 })).toThrow(/upscales by 2, expected 4/);
  });
});
