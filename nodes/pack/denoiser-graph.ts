// Graph pieces shared by the sprites U-Net and refiner: the SD denoiser interface, the noise level
// read off a (possibly fractional) timestep, the text log-prior, and eps from a predicted x0.
import { GraphBuilder, type GraphValue } from '../onnx/builder';
import { alphasCumprod, spriteDictionary } from './dictionary';
import { TEXT_SLOTS } from './text-encoder';
import { LATENT_CHANNELS, LATENT_SIZE } from './vae';

export interface DenoiserInputs {
  sample: GraphValue;
  timestep: GraphValue;
  context: GraphValue;
}

/** [height, width] of the latent: fixed, or named (any size the graph accepts). */
export type LatentSpatial = readonly [number | string, number | string];
const SPRITE_SPATIAL: LatentSpatial = [LATENT_SIZE, LATENT_SIZE];

/** sample f32 [B,4,h,w] (32x32 unless `spatial`), timestep f32 [B], encoder_hidden_states f32 [B,seq,C]: the diffusers ONNX U-Net names. */
export function denoiserInputs(g: GraphBuilder, spatial: LatentSpatial = SPRITE_SPATIAL): DenoiserInputs {
  return {
    sample: g.input('sample', 'float32', ['batch', LATENT_CHANNELS, ...spatial]),
    timestep: g.input('timestep', 'float32', ['batch']),
    context: g.input('encoder_hidden_states', 'float32', ['batch', 'sequence', TEXT_SLOTS.width]),
  };
}

export interface NoiseLevel {
  /** alpha_bar(t) as [B,1]. */
  alpha: GraphValue;
  sqrtAlpha: GraphValue;
  /** 1 - alpha_bar(t) as [B,1]. */
  oneMinusAlpha: GraphValue;
}

/**
 * alpha_bar(t) from the alphas_cumprod table, interpolated linearly between integer timesteps so
 * that the fractional timesteps of sigma-space samplers (Euler, DPM++ Karras) land in between.
 */
export function noiseLevel(g: GraphBuilder, timestep: GraphValue): NoiseLevel {
  const table = alphasCumprod();
  const last = table.length - 1;
  const t = g.op('Clip', [timestep, g.scalar(0), g.scalar(last)], { name: '/time/Clip' });
  const t0 = g.op('Floor', [t], { name: '/time/Floor' });
  const frac = g.op('Sub', [t, t0], { name: '/time/frac/Sub' });
  const i0 = g.op('Cast', [t0], { name: '/time/Cast', attrs: { to: 7 } }); // int64
  const i1 = g.op('Min', [g.op('Add', [i0, g.scalar(1, 'int64')]), g.scalar(last, 'int64')], { name: '/time/next/Min' });
  const acp = g.initializer('alphas_cumprod', table, [table.length]);
  const a0 = g.op('Gather', [acp, i0], { name: '/time/a0/Gather', attrs: { axis: 0 } });
  const a1 = g.op('Gather', [acp, i1], { name: '/time/a1/Gather', attrs: { axis: 0 } });
  const a = g.op('Add', [a0, g.op('Mul', [g.op('Sub', [a1, a0]), frac])], { name: '/time/alpha/Add' });
  const alpha = g.op('Unsqueeze', [a, g.int64s([1])], { name: '/time/alpha/Unsqueeze' });
  return {
    alpha,
    sqrtAlpha: g.op('Sqrt', [alpha], { name: '/time/sqrt_alpha/Sqrt' }),
    oneMinusAlpha: g.op('Sub', [g.scalar(1), alpha], { name: '/time/one_minus_alpha/Sub' }),
  };
}

/**
 * log p(sprite | text) up to a constant, [B,N]: hidden states summed over tokens (so emphasis weights
 * scale the evidence linearly) times the penalty matrix.
 */
export function textLogPrior(g: GraphBuilder, context: GraphValue, prefix: string): GraphValue {
  const { penalty, count } = spriteDictionary();
  const pooled = g.op('ReduceSum', [context, g.int64s([1])], { name: `/${prefix}/text_pool/ReduceSum`, attrs: { keepdims: 0 } });
  return g.op('MatMul', [pooled, g.initializer(`${prefix}.text_prior.weight`, penalty, [TEXT_SLOTS.width, count])], {
    name: `/${prefix}/text_prior/MatMul`,
  });
}

/**
 * Posterior weights softmax_i(-|x - sqrt(a) y_i|² / (2(1-a)) + prior_i), with |x|² dropped (the same
 * for every i): (sqrt(a) x·y_i - a |y_i|² / 2) / (1 - a) + prior_i.
 */
export function posteriorWeights(g: GraphBuilder, xDotY: GraphValue, sqNorms: GraphValue, level: NoiseLevel, prior: GraphValue, prefix: string): GraphValue {
  const pull = g.op('Mul', [level.sqrtAlpha, xDotY], { name: `/${prefix}/posterior/pull/Mul` });
  const halfAlpha = g.op('Mul', [level.alpha, g.scalar(0.5)], { name: `/${prefix}/posterior/half_alpha/Mul` });
  const energy = g.op('Sub', [pull, g.op('Mul', [halfAlpha, sqNorms])], { name: `/${prefix}/posterior/Sub` });
  const logits = g.op('Add', [g.op('Div', [energy, level.oneMinusAlpha]), prior], { name: `/${prefix}/posterior/Add` });
  return g.op('Softmax', [logits], { name: `/${prefix}/posterior/Softmax`, attrs: { axis: -1 } });
}

/** out_sample = eps = (x - sqrt(a) x0) / sqrt(1 - a), x0 given with the sample's shape. */
export function epsilonOutput(g: GraphBuilder, sample: GraphValue, x0: GraphValue, level: NoiseLevel, spatial: LatentSpatial = SPRITE_SPATIAL): void {
  const perItem = (v: GraphValue, name: string) => g.op('Reshape', [v, g.int64s([-1, 1, 1, 1])], { name: `/eps/${name}/Reshape` });
  const sa = perItem(level.sqrtAlpha, 'sqrt_alpha');
  const sb = perItem(g.op('Sqrt', [level.oneMinusAlpha], { name: '/eps/sqrt_one_minus_alpha/Sqrt' }), 'sqrt_one_minus_alpha');
  const eps = g.op('Div', [g.op('Sub', [sample, g.op('Mul', [sa, x0], { name: '/eps/Mul' })], { name: '/eps/Sub' }), sb], { name: '/eps/Div' });
  g.output(eps, 'out_sample', 'float32', ['batch', LATENT_CHANNELS, ...spatial]);
}
