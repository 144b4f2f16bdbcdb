// Keras layer -> ONNX ops, one converter per layer class. Keras tensors are NHWC; every ONNX tensor
// here is NCHW, so kernels are transposed (HWIO -> OIHW) and channel axes remapped.
import type { GraphBuilder, GraphValue } from '../../onnx/builder';
import type { KerasLayer, Weight } from './layers-model';

/** A converted tensor and its spatial size relative to the model input (2 after a x2 upsampling). */
export interface Feature {
  value: GraphValue;
  scale: number;
}

export interface LayerContext {
  g: GraphBuilder;
  layer: KerasLayer;
  /** Node-name prefix, unique per call of the layer, e.g. `/F_0`. */
  prefix: string;
  /** The layer's weight `kind` ('kernel', 'bias', ...) as float32, or undefined when it has none. */
  weight(kind: string): Weight | undefined;
  /** The layer's weight as an initializer (created once even when the layer is called twice). */
  initializer(kind: string, data: Float32Array, dims: number[]): GraphValue;
}

export type LayerConverter = (ctx: LayerContext, inputs: Feature[]) => Feature;

export class LayerConversionError extends Error {
  readonly code = 'layer_conversion';
  constructor(readonly layer: string, readonly className: string, message: string) {
    super(`layer "${layer}" (${className}): ${message}`);
    this.name = 'LayerConversionError';
  }
}

function fail(ctx: LayerContext, message: string): never {
  throw new LayerConversionError(ctx.layer.name, ctx.layer.className, message);
}

const pair = (v: unknown, fallback: number): [number, number] =>
  v === undefined || v === null ? [fallback, fallback] : typeof v === 'number' ? [v, v] : [(v as number[])[0], (v as number[])[1]];

function requireChannelsLast(ctx: LayerContext): void {
  const fmt = ctx.layer.config.data_format;
  if (fmt !== undefined && fmt !== null && fmt !== 'channels_last') fail(ctx, `data_format "${fmt}" is not supported (only channels_last)`);
}

/** Keras kernel [kh, kw, in, out] -> ONNX weight [out, in, kh, kw]. */
export function hwioToOihw(k: Weight): { data: Float32Array; dims: number[] } {
  const [kh, kw, ci, co] = k.shape;
  const out = new Float32Array(k.data.length);
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      for (let c = 0; c < ci; c++) {
        for (let o = 0; o < co; o++) out[((o * ci + c) * kh + i) * kw + j] = k.data[((i * kw + j) * ci + c) * co + o];
      }
    }
  }
  return { data: out, dims: [co, ci, kh, kw] };
}

function conv2d(ctx: LayerContext, [x]: Feature[]): Feature {
  requireChannelsLast(ctx);
  const c = ctx.layer.config;
  const kernel = ctx.weight('kernel') ?? fail(ctx, 'its kernel weight is missing from the weight manifest');
  if (kernel.shape.length !== 4) fail(ctx, `kernel has shape [${kernel.shape}], expected [kh, kw, in, out]`);
  const w = hwioToOihw(kernel);
  const [kh, kw] = [w.dims[2], w.dims[3]];
  const strides = pair(c.strides, 1);
  const dilations = pair(c.dilation_rate, 1);
  const attrs: Record<string, number[] | number | string> = { kernel_shape: [kh, kw], strides, dilations, group: (c.groups as number) ?? 1 };
  if (c.padding === 'same') {
    if (strides[0] === 1 && strides[1] === 1) {
      // TF's SAME puts the odd pixel after: before = floor(total / 2).
      const th = dilations[0] * (kh - 1), tw = dilations[1] * (kw - 1);
      attrs.pads = [Math.floor(th / 2), Math.floor(tw / 2), th - Math.floor(th / 2), tw - Math.floor(tw / 2)];
    } else {
      attrs.auto_pad = 'SAME_UPPER'; // depends on the (dynamic) input size, like TF's SAME
    }
  } else if (c.padding !== 'valid') {
    fail(ctx, `padding "${c.padding}" is not supported (same or valid)`);
  }
  const inputs = [x.value, ctx.initializer('kernel', w.data, w.dims)];
  if (c.use_bias !== false) {
    const b = ctx.weight('bias') ?? fail(ctx, 'use_bias is set but its bias weight is missing');
    inputs.push(ctx.initializer('bias', b.data, b.shape));
  }
  const out = ctx.g.op('Conv', inputs, { name: `${ctx.prefix}/Conv`, attrs });
  return activation(ctx, { value: out, scale: x.scale / strides[0] }, (c.activation as string) ?? 'linear');
}

/** Keras activation names (as a layer or a Conv2D's `activation`) -> ONNX. */
function activation(ctx: LayerContext, x: Feature, name: string): Feature {
  const { g, prefix } = ctx;
  const op = (type: string, inputs = [x.value], attrs?: Record<string, number>) => g.op(type, inputs, { name: `${prefix}/${type}`, attrs });
  switch (name) {
    case 'linear': return x;
    case 'relu': return { ...x, value: op('Relu') };
    case 'relu6': return { ...x, value: op('Clip', [x.value, g.scalar(0), g.scalar(6)]) };
    case 'sigmoid': return { ...x, value: op('Sigmoid') };
    case 'tanh': return { ...x, value: op('Tanh') };
    case 'elu': return { ...x, value: op('Elu') };
    case 'selu': return { ...x, value: op('Selu') };
    case 'softplus': return { ...x, value: op('Softplus') };
    case 'swish': return { ...x, value: g.op('Mul', [x.value, op('Sigmoid')], { name: `${prefix}/swish/Mul` }) };
    default: fail(ctx, `activation "${name}" is not supported (linear, relu, relu6, sigmoid, tanh, elu, selu, softplus, swish)`);
  }
}

function reluLayer(ctx: LayerContext, [x]: Feature[]): Feature {
  const c = ctx.layer.config;
  const slope = (c.negative_slope as number) ?? 0, threshold = (c.threshold as number) ?? 0, max = c.max_value as number | null | undefined;
  if (threshold !== 0) fail(ctx, 'a non-zero threshold is not supported');
  let value = slope ? ctx.g.op('LeakyRelu', [x.value], { name: `${ctx.prefix}/LeakyRelu`, attrs: { alpha: slope } }) : ctx.g.op('Relu', [x.value], { name: `${ctx.prefix}/Relu` });
  if (max !== undefined && max !== null) value = ctx.g.op('Min', [value, ctx.g.scalar(max)], { name: `${ctx.prefix}/Min` });
  return { ...x, value };
}

function sameScale(ctx: LayerContext, inputs: Feature[]): number {
  if (inputs.some((f) => f.scale !== inputs[0].scale)) fail(ctx, 'its inputs have different spatial sizes');
  return inputs[0].scale;
}

/** Add/Multiply/... over any number of inputs, as a chain of binary ops. */
function merge(opType: 'Add' | 'Mul' | 'Sub' | 'Max' | 'Min'): LayerConverter {
  return (ctx, inputs) => {
    const scale = sameScale(ctx, inputs);
    if (opType === 'Sub' && inputs.length !== 2) fail(ctx, 'Subtract takes exactly two inputs');
    let value = inputs[0].value;
    for (let i = 1; i < inputs.length; i++) {
      value = ctx.g.op(opType, [value, inputs[i].value], { name: `${ctx.prefix}/${opType}${inputs.length > 2 ? `_${i}` : ''}` });
    }
    return { value, scale };
  };
}

/** NHWC axis of a rank-4 Keras tensor -> NCHW axis. */
function nchwAxis(ctx: LayerContext, axis: number): number {
  const a = axis < 0 ? axis + 4 : axis;
  const map = [0, 2, 3, 1];
  if (a < 0 || a > 3) fail(ctx, `axis ${axis} is out of range for an image tensor`);
  return map[a];
}

function concatenate(ctx: LayerContext, inputs: Feature[]): Feature {
  const scale = sameScale(ctx, inputs);
  const axis = nchwAxis(ctx, (ctx.layer.config.axis as number) ?? -1);
  return { value: ctx.g.op('Concat', inputs.map((f) => f.value), { name: `${ctx.prefix}/Concat`, attrs: { axis } }), scale };
}

function upSampling2d(ctx: LayerContext, [x]: Feature[]): Feature {
  requireChannelsLast(ctx);
  const [sh, sw] = pair(ctx.layer.config.size, 2);
  if (sh !== sw) fail(ctx, `size [${sh}, ${sw}] is not square; the upscaler needs one scale factor`);
  const interpolation = (ctx.layer.config.interpolation as string) ?? 'nearest';
  if (interpolation !== 'nearest' && interpolation !== 'bilinear') fail(ctx, `interpolation "${interpolation}" is not supported`);
  // TF.js resizes with alignCorners = halfPixelCenters = false: source = floor(dst / s), i.e. ONNX 'asymmetric'.
  const attrs: Record<string, string> = interpolation === 'nearest'
    ? { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }
    : { mode: 'linear', coordinate_transformation_mode: 'asymmetric' };
  const value = ctx.g.op('Resize', [x.value, null, ctx.g.constant([1, 1, sh, sw])], { name: `${ctx.prefix}/Resize`, attrs });
  return { value, scale: x.scale * sh };
}

/**
 * UpscalerJS's ESRGAN custom layer `PixelShuffle<N>x` is tf.depthToSpace(x, N, 'NHWC'): output pixel
 * (y*N+i, x*N+j, c) reads input channel (i*N+j)*C + c, which is ONNX DepthToSpace's DCR order.
 */
function pixelShuffle(blocksize: number): LayerConverter {
  return (ctx, [x]) => ({
    value: ctx.g.op('DepthToSpace', [x.value], { name: `${ctx.prefix}/DepthToSpace`, attrs: { blocksize, mode: 'DCR' } }),
    scale: x.scale * blocksize,
  });
}

/** UpscalerJS's ESRGAN custom layer `MultiplyBeta`: residual scaling by 0.2. */
function multiplyBeta(ctx: LayerContext, [x]: Feature[]): Feature {
  return { ...x, value: ctx.g.op('Mul', [x.value, ctx.g.scalar(0.2)], { name: `${ctx.prefix}/Mul` }) };
}

const CONVERTERS: Record<string, LayerConverter> = {
  Conv2D: conv2d,
  Activation: (ctx, [x]) => activation(ctx, x, (ctx.layer.config.activation as string) ?? 'linear'),
  ReLU: reluLayer,
  LeakyReLU: (ctx, [x]) => ({
    ...x, value: ctx.g.op('LeakyRelu', [x.value], { name: `${ctx.prefix}/LeakyRelu`, attrs: { alpha: (ctx.layer.config.alpha as number) ?? 0.3 } }),
  }),
  Add: merge('Add'),
  Multiply: merge('Mul'),
  Subtract: merge('Sub'),
  Maximum: merge('Max'),
  Minimum: merge('Min'),
  Concatenate: concatenate,
  UpSampling2D: upSampling2d,
  MultiplyBeta: multiplyBeta,
};

/** Layer classes the converter handles (PixelShuffle<N>x for any N). */
export const SUPPORTED_LAYERS = ['InputLayer', ...Object.keys(CONVERTERS), 'PixelShuffle<N>x'];

export function converterFor(className: string): LayerConverter | undefined {
  const shuffle = /^PixelShuffle(\d+)x$/.exec(className);
  if (shuffle) return pixelShuffle(Number(shuffle[1]));
  return CONVERTERS[className];
}
