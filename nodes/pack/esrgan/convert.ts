// TF.js layers model -> ONNX upscaler: walks the Keras layer graph, converts each call with
// layer-ops, and wraps it so the ONNX model takes and returns NCHW RGB in [0,1] (clipped).
import { GraphBuilder, type GraphValue } from '../../onnx/builder';
import { foldUpsampleConv } from '../../onnx/fold-upsample-conv';
import { readModel, writeModel } from '../../onnx/model-io';
import { converterFor, LayerConversionError, SUPPORTED_LAYERS, type Feature, type LayerContext } from './layer-ops';
import type { KerasLayer, LayersModel, TensorRef } from './layers-model';

export interface ConvertOptions {
  /** Upper end of the pixel range the Keras model takes and gives (255 for UpscalerJS's RDN models, 1 for [0,1] models). */
  modelRange: number;
  /** Scale the caller expects; conversion fails when the layer graph says otherwise. */
  expectScale?: number;
  /** Extra metadata_props (source, licence, ...); scale, layout and range are always written. */
  metadata?: Record<string, string>;
  docString?: string;
  /**
   * Rewrite nearest UpSampling2D -> Conv2D as a low-resolution conv + DepthToSpace (default true): the same
   * result up to float rounding, without a conv over the upsampled image (esrgan-slim x4: 16x the pixels).
   */
  foldUpsample?: boolean;
}

export interface ConvertedModel {
  bytes: Uint8Array;
  /** Output pixels per input pixel, derived from the layers (UpSampling2D, PixelShuffle, strides). */
  scale: number;
}

/** Names of the ONNX graph's input and output. */
export const INPUT_NAME = 'input';
export const OUTPUT_NAME = 'output';

export function convertLayersModel(model: LayersModel, opts: ConvertOptions): ConvertedModel {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new LayerConversionError(model.name, 'model', `has ${model.inputs.length} inputs and ${model.outputs.length} outputs; an upscaler has one of each`);
  }
  const g = new GraphBuilder(model.name);
  const byName = new Map(model.layers.map((l) => [l.name, l]));
  const done = new Map<string, Feature>();
  const initializers = new Map<string, GraphValue>();

  const inputLayer = byName.get(model.inputs[0][0]);
  if (!inputLayer || inputLayer.className !== 'InputLayer') throw new LayerConversionError(model.inputs[0][0], 'model', 'the model input is not an InputLayer');
  const shape = (inputLayer.config.batch_input_shape ?? inputLayer.config.batchInputShape) as (number | null)[] | undefined;
  const channels = shape?.[3] ?? 3;
  const input = g.input(INPUT_NAME, 'float32', ['batch', channels, shape?.[1] ?? 'height', shape?.[2] ?? 'width']);
  const scaled = opts.modelRange === 1 ? input : g.op('Mul', [input, g.scalar(opts.modelRange)], { name: '/input_range/Mul' });
  done.set(`${inputLayer.name}:0`, { value: scaled, scale: 1 });

  const resolve = (ref: TensorRef, path: string[]): Feature => {
    const [layerName, node, tensor] = ref;
    const key = `${layerName}:${node}`;
    const cached = done.get(key);
    if (cached) return cached;
    const layer = byName.get(layerName);
    if (!layer) throw new LayerConversionError(layerName, 'unknown', 'is referenced but not defined in the topology');
    if (path.includes(key)) throw new LayerConversionError(layerName, layer.className, 'is part of a cycle');
    if (tensor !== 0) throw new LayerConversionError(layerName, layer.className, 'multi-output layers are not supported');
    const convert = converterFor(layer.className);
    if (!convert) {
      throw new LayerConversionError(layerName, layer.className,
        `layer class "${layer.className}" is not supported; the converter knows ${SUPPORTED_LAYERS.join(', ')}`);
    }
    const call = layer.inboundNodes[node];
    if (!call) throw new LayerConversionError(layerName, layer.className, `has no call #${node}`);
    const inputs = call.map((r) => resolve(r, [...path, key]));
    const out = convert(context(g, layer, node, model, initializers), inputs);
    done.set(key, out);
    return out;
  };

  const result = resolve(model.outputs[0], []);
  if (opts.expectScale !== undefined && result.scale !== opts.expectScale) {
    throw new LayerConversionError(model.name, 'model', `upscales by ${result.scale}, expected ${opts.expectScale}`);
  }
  const unit = opts.modelRange === 1 ? result.value : g.op('Mul', [result.value, g.scalar(1 / opts.modelRange)], { name: '/output_range/Mul' });
  const clipped = g.op('Clip', [unit, g.scalar(0), g.scalar(1)], { name: '/output_range/Clip' });
  g.output(clipped, OUTPUT_NAME, 'float32', ['batch', channels, 'out_height', 'out_width']);

  const onnxModel = readModel(g.toBytes({ opset: 17, producer: 'stepflow esrgan converter', docString: opts.docString }));
  if (opts.foldUpsample ?? true) foldUpsampleConv(onnxModel);
  const metadata = { ...opts.metadata, scale: String(result.scale), layout: 'NCHW', range: '0-1' };
  onnxModel.metadataProps = Object.entries(metadata).map(([key, value]) => ({ key, value }));
  return { bytes: writeModel(onnxModel), scale: result.scale };
}

function context(g: GraphBuilder, layer: KerasLayer, node: number, model: LayersModel, initializers: Map<string, GraphValue>): LayerContext {
  const weight = (kind: string) => model.weights.get(`${layer.name}/${kind}`)
    ?? [...model.weights].find(([name]) => name.endsWith(`/${layer.name}/${kind}`))?.[1];
  return {
    g,
    layer,
    prefix: node === 0 ? `/${layer.name}` : `/${layer.name}_${node}`,
    weight,
    initializer(kind, data, dims) {
      const name = `${layer.name}.${kind}`;
      let v = initializers.get(name);
      if (!v) initializers.set(name, (v = g.initializer(name, data, dims)));
      return v;
    },
  };
}
