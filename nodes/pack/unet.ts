// The sprites U-Net: the exact (closed-form) denoiser of the conditional sprite distribution, with
// the SD U-Net interface. x0_hat = sum_i w_i y_i over every sprite latent y_i (posterior weights from
// the noise level and the text prior), through a 1x1 `conv_out` (identity; the demo LoRA edits it).
// Any latent of 32k x 32l cells works: there the sprites are drawn k x l times larger (each sprite cell a
// k x l block, U y_i), and the denoiser stays exact for that set (see blockSum).
import { GraphBuilder, type GraphValue } from '../onnx/builder';
import { denoiserInputs, epsilonOutput, noiseLevel, posteriorWeights, textLogPrior, type LatentSpatial } from './denoiser-graph';
import { spriteDictionary } from './dictionary';
import { LATENT_CHANNELS, LATENT_NUMEL, LATENT_SIZE } from './vae';

const SPATIAL: LatentSpatial = ['height', 'width'];

/** [B,4,32k,32l] as [B,4,32,k,32,l] (k, l read from the sample's shape), and k*l as a float scalar. */
function blocks(g: GraphBuilder, sample: GraphValue): { blocked: GraphValue; blockShape: GraphValue; area: GraphValue } {
  const shape = g.op('Shape', [sample], { name: '/blocks/Shape' });
  const side = (axis: number, name: string) =>
    g.op('Div', [g.op('Gather', [shape, g.int64s([axis])], { name: `/blocks/${name}/Gather`, attrs: { axis: 0 } }), g.int64s([LATENT_SIZE])], { name: `/blocks/${name}/Div` });
  const k = side(2, 'k');
  const l = side(3, 'l');
  const cells = g.int64s([LATENT_SIZE]);
  const blockShape = g.op('Concat', [g.int64s([1, 1, LATENT_SIZE]), k, cells, l], { name: '/blocks/shape/Concat', attrs: { axis: 0 } });
  const blocked = g.op('Reshape', [sample, g.op('Concat', [g.int64s([-1, LATENT_CHANNELS, LATENT_SIZE]), k, cells, l], { name: '/blocks/Concat', attrs: { axis: 0 } })], {
    name: '/blocks/Reshape',
  });
  const area = g.op('Cast', [g.op('Mul', [k, l], { name: '/blocks/area/Mul' })], { name: '/blocks/area/Cast', attrs: { to: 1 } }); // float
  return { blocked, blockShape, area };
}

export interface UnetOptions {
  /**
   * Also take ControlNet residuals (onnx-web's input names): `mid_block_additional_residual` [B,N,1,1], a log-weight
   * per sprite added to the text prior, and `down_block_0` [B,4,h,w], added to x0 before conv_out. Zeros (what the
   * sampler feeds without a ControlNet) leave every value as the plain U-Net computes it.
   */
  controlResiduals?: boolean;
}

export function buildUnet(opts: UnetOptions = {}): GraphBuilder {
  const { latents, sqNorms, count } = spriteDictionary();
  const g = new GraphBuilder('sprites_unet');
  const { sample, timestep, context } = denoiserInputs(g, SPATIAL);
  const level = noiseLevel(g, timestep);
  const textPrior = textLogPrior(g, context, 'mid_block');
  const prior = opts.controlResiduals
    ? g.op('Add', [textPrior, g.op('Reshape', [g.input('mid_block_additional_residual', 'float32', ['batch', count, 1, 1]), g.int64s([-1, count])], { name: '/mid_block/control/Reshape' })], {
      name: '/mid_block/control/Add',
    })
    : textPrior;
  // x·(U y) = (Uᵀ x)·y and |U y|² = k l |y|², with Uᵀ x the sum over each k x l block: the posterior of the
  // enlarged set costs one block sum more than the 32x32 one (and is the same arithmetic at k = l = 1).
  const { blocked, blockShape, area } = blocks(g, sample);
  const pooled = g.op('ReduceSum', [blocked, g.int64s([3, 5])], { name: '/blocks/ReduceSum', attrs: { keepdims: 0 } });
  const x = g.op('Reshape', [pooled, g.int64s([-1, LATENT_NUMEL])], { name: '/flatten/Reshape' });
  const y = g.initializer('mid_block.sprites.weight', latents, [count, LATENT_NUMEL]);
  const xDotY = g.op('Gemm', [x, y], { name: '/mid_block/sprites/Gemm', attrs: { transB: 1 } });
  const norms = g.op('Mul', [g.initializer('mid_block.sprites.sq_norms', sqNorms, [count]), area], { name: '/mid_block/sprites/sq_norms/Mul' });
  const w = posteriorWeights(g, xDotY, norms, level, prior, 'mid_block');
  const x0Cells = g.op('Reshape', [g.op('MatMul', [w, y], { name: '/mid_block/x0/MatMul' }), g.int64s([-1, LATENT_CHANNELS, LATENT_SIZE, 1, LATENT_SIZE, 1])], {
    name: '/mid_block/x0/Reshape',
  });
  // U x0: every cell repeated over its block, back to the sample's shape.
  const x0 = g.op('Reshape', [g.op('Expand', [x0Cells, blockShape], { name: '/mid_block/x0/Expand' }), g.op('Shape', [sample], { name: '/mid_block/x0/Shape' })], {
    name: '/mid_block/x0/unblock/Reshape',
  });
  const x0In = opts.controlResiduals
    ? g.op('Add', [x0, g.input('down_block_0', 'float32', ['batch', LATENT_CHANNELS, 'down_height', 'down_width'])], { name: '/down_block_res_samples/Add' })
    : x0;
  const identity = new Float32Array(LATENT_CHANNELS * LATENT_CHANNELS);
  for (let c = 0; c < LATENT_CHANNELS; c++) identity[c * LATENT_CHANNELS + c] = 1;
  const convOut = g.op('Conv', [x0In, g.initializer('conv_out.weight', identity, [LATENT_CHANNELS, LATENT_CHANNELS, 1, 1]), g.initializer('conv_out.bias', new Float32Array(LATENT_CHANNELS), [LATENT_CHANNELS])], {
    name: '/conv_out/Conv',
  });
  epsilonOutput(g, sample, convOut, level, SPATIAL);
  return g;
}
