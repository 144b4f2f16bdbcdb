// The sprites U-Net: the exact (closed-form) denoiser of the conditional sprite distribution, with
// the SD U-Net interface. x0_hat = sum_i w_i y_i over every sprite latent y_i (posterior weights from
// the noise level and the text prior), through a 1x1 `conv_out` (identity; the demo LoRA edits it).
import { GraphBuilder } from '../onnx/builder';
import { denoiserInputs, epsilonOutput, noiseLevel, posteriorWeights, textLogPrior } from './denoiser-graph';
import { spriteDictionary } from './dictionary';
import { LATENT_CHANNELS, LATENT_NUMEL, LATENT_SIZE } from './vae';

export function buildUnet(): GraphBuilder {
  const { latents, sqNorms, count } = spriteDictionary();
  const g = new GraphBuilder('sprites_unet');
  const { sample, timestep, context } = denoiserInputs(g);
  const level = noiseLevel(g, timestep);
  const prior = textLogPrior(g, context, 'mid_block');
  const x = g.op('Reshape', [sample, g.int64s([-1, LATENT_NUMEL])], { name: '/flatten/Reshape' });
  const y = g.initializer('mid_block.sprites.weight', latents, [count, LATENT_NUMEL]);
  const xDotY = g.op('Gemm', [x, y], { name: '/mid_block/sprites/Gemm', attrs: { transB: 1 } });
  const norms = g.initializer('mid_block.sprites.sq_norms', sqNorms, [count]);
  const w = posteriorWeights(g, xDotY, norms, level, prior, 'mid_block');
  const x0 = g.op('Reshape', [g.op('MatMul', [w, y], { name: '/mid_block/x0/MatMul' }), g.int64s([-1, LATENT_CHANNELS, LATENT_SIZE, LATENT_SIZE])], {
    name: '/mid_block/x0/Reshape',
  });
  const identity = new Float32Array(LATENT_CHANNELS * LATENT_CHANNELS);
  for (let c = 0; c < LATENT_CHANNELS; c++) identity[c * LATENT_CHANNELS + c] = 1;
  const convOut = g.op('Conv', [x0, g.initializer('conv_out.weight', identity, [LATENT_CHANNELS, LATENT_CHANNELS, 1, 1]), g.initializer('conv_out.bias', new Float32Array(LATENT_CHANNELS), [LATENT_CHANNELS])], {
    name: '/conv_out/Conv',
  });
  epsilonOutput(g, sample, convOut, level);
  return g;
}
