// The flow-matching sprites transformer: the exact velocity of rectified flow x_t = (1 - s)·x0 + s·eps
// over the sprite set, with the SD3 transformer interface Optimum exports (hidden_states, encoder_hidden_states,
// pooled_projections, timestep in 0..1000 -> out_hidden_states). v = eps - x0 = (x - E[x0 | x])/s, where the
// posterior mean is the U-Net's (denoiser-graph.ts posteriorWeights) with sqrt(alpha) -> 1 - s, 1 - alpha -> s².
import { GraphBuilder } from '../onnx/builder';
import { posteriorWeights, textLogPrior } from './denoiser-graph';
import { spriteDictionary } from './dictionary';
import { TEXT_SLOTS } from './text-encoder';
import { LATENT_CHANNELS, LATENT_NUMEL, LATENT_SIZE } from './vae';

/** The smallest noise level the graph divides by: a flow scheduler never evaluates at 0 (its last sigma is ≥ 0.001). */
const MIN_SIGMA = 1e-4;

export function buildFlowTransformer(): GraphBuilder {
  const { latents, sqNorms, count } = spriteDictionary();
  const g = new GraphBuilder('sprites_flow_transformer');
  const latentDims = ['batch', LATENT_CHANNELS, LATENT_SIZE, LATENT_SIZE] as const;
  const sample = g.input('hidden_states', 'float32', latentDims);
  const context = g.input('encoder_hidden_states', 'float32', ['batch', 'sequence', TEXT_SLOTS.width]);
  const pooled = g.input('pooled_projections', 'float32', ['batch', TEXT_SLOTS.width]);
  const timestep = g.input('timestep', 'float32', ['batch']);

  const s = g.op('Clip', [g.op('Div', [timestep, g.scalar(1000)], { name: '/time/Div' }), g.scalar(MIN_SIGMA), g.scalar(1)], { name: '/time/Clip' });
  const sigma = g.op('Unsqueeze', [s, g.int64s([1])], { name: '/time/Unsqueeze' });
  const keep = g.op('Sub', [g.scalar(1), sigma], { name: '/time/keep/Sub' });
  const level = {
    sqrtAlpha: keep,
    alpha: g.op('Mul', [keep, keep], { name: '/time/keep_sq/Mul' }),
    oneMinusAlpha: g.op('Mul', [sigma, sigma], { name: '/time/sigma_sq/Mul' }),
  };
  // SD3 conditions on the pooled CLIP projection too; the sprites prior already reads every token, so its
  // weight is zero (a real input of the interface, adding no evidence twice).
  const pooledPrior = g.op('MatMul', [pooled, g.initializer('time_text_embed.text_embedder.weight', new Float32Array(TEXT_SLOTS.width * count), [TEXT_SLOTS.width, count])], {
    name: '/time_text_embed/text_embedder/MatMul',
  });
  const prior = g.op('Add', [textLogPrior(g, context, 'transformer_blocks'), pooledPrior], { name: '/transformer_blocks/prior/Add' });
  const x = g.op('Reshape', [sample, g.int64s([-1, LATENT_NUMEL])], { name: '/flatten/Reshape' });
  const y = g.initializer('transformer_blocks.sprites.weight', latents, [count, LATENT_NUMEL]);
  const xDotY = g.op('Gemm', [x, y], { name: '/transformer_blocks/sprites/Gemm', attrs: { transB: 1 } });
  const norms = g.initializer('transformer_blocks.sprites.sq_norms', sqNorms, [count]);
  const w = posteriorWeights(g, xDotY, norms, level, prior, 'transformer_blocks');
  const x0 = g.op('MatMul', [w, y], { name: '/transformer_blocks/x0/MatMul' });
  const velocity = g.op('Div', [g.op('Sub', [x, x0], { name: '/proj_out/Sub' }), sigma], { name: '/proj_out/Div' });
  const out = g.op('Reshape', [velocity, g.int64s([-1, LATENT_CHANNELS, LATENT_SIZE, LATENT_SIZE])], { name: '/proj_out/Reshape' });
  g.output(out, 'out_hidden_states', 'float32', [...latentDims]);
  return g;
}
