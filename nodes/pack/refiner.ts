// The sprites refiner: an attention denoiser with the U-Net's interface for the last steps of a
// schedule. The noisy latent is cut into 16 patch tokens (8x8 cells x 4 channels); each token attends
// to a memory of clean sprite patches at its position (keys: clean patches seen through the noise
// level, values: the clean patches), the tokens pool their scores so all patches agree on one sprite,
// and the summed text hidden states add the prompt's log-prior. It computes the same posterior as the
// U-Net from a float16 memory, so handing it the last part of a schedule finishes the same sprite.
import { GraphBuilder, type GraphValue } from '../onnx/builder';
import { float32ToFloat16 } from '../runtime/float16';
import { denoiserInputs, epsilonOutput, noiseLevel, posteriorWeights, textLogPrior } from './denoiser-graph';
import { spriteDictionary } from './dictionary';
import { LATENT_CHANNELS, LATENT_SIZE } from './vae';

/** Patch side in latent cells; 32/8 = 4 patches per side, 16 tokens of 256 values. */
export const REFINER_PATCH = 8;
const PER_SIDE = LATENT_SIZE / REFINER_PATCH;
const TOKENS = PER_SIDE * PER_SIDE;
const TOKEN_DIM = LATENT_CHANNELS * REFINER_PATCH * REFINER_PATCH;

/** The sprite latents [N, 4, 32, 32] regrouped as patch memory [16, N, 256] (token-major). */
export function patchMemory(latents: Float32Array, count: number): Float32Array {
  const out = new Float32Array(TOKENS * count * TOKEN_DIM);
  const hw = LATENT_SIZE * LATENT_SIZE;
  for (let i = 0; i < count; i++) {
    for (let c = 0; c < LATENT_CHANNELS; c++) {
      for (let y = 0; y < LATENT_SIZE; y++) {
        for (let x = 0; x < LATENT_SIZE; x++) {
          const token = Math.floor(y / REFINER_PATCH) * PER_SIDE + Math.floor(x / REFINER_PATCH);
          const d = (c * REFINER_PATCH + (y % REFINER_PATCH)) * REFINER_PATCH + (x % REFINER_PATCH);
          out[(token * count + i) * TOKEN_DIM + d] = latents[i * LATENT_CHANNELS * hw + c * hw + y * LATENT_SIZE + x];
        }
      }
    }
  }
  return out;
}

/** [B,4,32,32] -> [16,B,256] patch tokens, and back. */
function toTokens(g: GraphBuilder, x: GraphValue): GraphValue {
  const split = g.op('Reshape', [x, g.int64s([-1, LATENT_CHANNELS, PER_SIDE, REFINER_PATCH, PER_SIDE, REFINER_PATCH])], { name: '/patchify/Reshape' });
  const grouped = g.op('Transpose', [split], { name: '/patchify/Transpose', attrs: { perm: [0, 2, 4, 1, 3, 5] } });
  const tokens = g.op('Reshape', [grouped, g.int64s([-1, TOKENS, TOKEN_DIM])], { name: '/patchify/tokens/Reshape' });
  return g.op('Transpose', [tokens], { name: '/patchify/tokens/Transpose', attrs: { perm: [1, 0, 2] } });
}

function fromTokens(g: GraphBuilder, tokens: GraphValue): GraphValue {
  const batchMajor = g.op('Transpose', [tokens], { name: '/unpatchify/Transpose', attrs: { perm: [1, 0, 2] } });
  const split = g.op('Reshape', [batchMajor, g.int64s([-1, PER_SIDE, PER_SIDE, LATENT_CHANNELS, REFINER_PATCH, REFINER_PATCH])], { name: '/unpatchify/Reshape' });
  const image = g.op('Transpose', [split], { name: '/unpatchify/image/Transpose', attrs: { perm: [0, 3, 1, 4, 2, 5] } });
  return g.op('Reshape', [image, g.int64s([-1, LATENT_CHANNELS, LATENT_SIZE, LATENT_SIZE])], { name: '/unpatchify/image/Reshape' });
}

export function buildRefiner(): GraphBuilder {
  const { latents, count } = spriteDictionary();
  const g = new GraphBuilder('sprites_refiner');
  const { sample, timestep, context } = denoiserInputs(g);
  const level = noiseLevel(g, timestep);
  const prior = textLogPrior(g, context, 'attn');
  const memory16 = g.initializer('attn.memory', float32ToFloat16(patchMemory(latents, count)), [TOKENS, count, TOKEN_DIM]);
  const memory = g.op('Cast', [memory16], { name: '/attn/memory/Cast', attrs: { to: 1 } });
  const keysT = g.op('Transpose', [memory], { name: '/attn/keys/Transpose', attrs: { perm: [0, 2, 1] } });
  // |y_i|² of the float16 memory itself, so the posterior is exact for the sprites it stores.
  const sqNorms = g.op('ReduceSum', [g.op('Mul', [memory, memory]), g.int64s([0, 2])], { name: '/attn/keys/sq_norms/ReduceSum', attrs: { keepdims: 0 } });
  const scores = g.op('MatMul', [toTokens(g, sample), keysT], { name: '/attn/scores/MatMul' });
  const pooled = g.op('ReduceSum', [scores, g.int64s([0])], { name: '/attn/scores/ReduceSum', attrs: { keepdims: 0 } });
  const w = posteriorWeights(g, pooled, sqNorms, level, prior, 'attn');
  const x0 = fromTokens(g, g.op('MatMul', [w, memory], { name: '/attn/values/MatMul' }));
  epsilonOutput(g, sample, x0, level);
  return g;
}
