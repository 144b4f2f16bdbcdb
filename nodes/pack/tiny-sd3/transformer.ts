// The tiny SD3 transformer (MMDiT): random weights with the interface Optimum exports for
// SD3Transformer2DModel: hidden_states [B, 16, h, w], encoder_hidden_states [B, T, joint_attention_dim],
// pooled_projections [B, pooled_projection_dim], timestep [B] (0..1000) -> out_hidden_states [B, 16, h, w].
// 2x2 patches (SpaceToDepth, as SD3's patch_size 2), temb = time embedding + pooled text embedding, one joint block.
import { GraphBuilder } from '../../onnx/builder';
import { TinyLayers, WeightRandom } from '../tiny-sd/layers';
import { embedder, jointBlock, outputHead, sinusoid, TINY_INNER } from './mmdit';

export const SD3_LATENT_CHANNELS = 16;
const PATCH_FEATURES = 4 * SD3_LATENT_CHANNELS;

export interface TinyTransformerDims {
  /** Width of encoder_hidden_states (diffusers' joint_attention_dim). */
  context: number;
  /** Width of pooled_projections (pooled_projection_dim). */
  pooled: number;
}

export function buildTinySd3Transformer(dims: TinyTransformerDims): GraphBuilder {
  const g = new GraphBuilder('tiny_sd3_transformer');
  const l = new TinyLayers(g, new WeightRandom(0x5d3001));
  const sample = g.input('hidden_states', 'float32', ['batch', SD3_LATENT_CHANNELS, 'height', 'width']);
  const context = g.input('encoder_hidden_states', 'float32', ['batch', 'sequence', dims.context]);
  const pooled = g.input('pooled_projections', 'float32', ['batch', dims.pooled]);
  const timestep = g.input('timestep', 'float32', ['batch']);

  const temb = g.op('Add', [
    embedder(l, 'time_text_embed.timestep_embedder', sinusoid(l, '/time_text_embed/time_proj', timestep), 16),
    embedder(l, 'time_text_embed.text_embedder', pooled, dims.pooled),
  ], { name: '/time_text_embed/Add' });

  // [B, 16, h, w] -> [B, 64, h/2, w/2] -> tokens [B, N, 64]
  const patches = g.op('SpaceToDepth', [sample], { name: '/pos_embed/SpaceToDepth', attrs: { blocksize: 2 } });
  const tokens = g.op('Transpose', [g.op('Reshape', [patches, g.int64s([0, PATCH_FEATURES, -1])], { name: '/pos_embed/Reshape' })], {
    name: '/pos_embed/Transpose', attrs: { perm: [0, 2, 1] },
  });
  const img = l.linear('pos_embed.proj', tokens, PATCH_FEATURES, TINY_INNER);
  const txt = l.linear('context_embedder', context, dims.context, TINY_INNER);
  const block = jointBlock(l, 'transformer_blocks.0', img, txt, temb);
  const out = outputHead(l, block.img, temb, PATCH_FEATURES);
  const grid = g.op('Reshape', [g.op('Transpose', [out], { name: '/unpatchify/Transpose', attrs: { perm: [0, 2, 1] } }), g.op('Shape', [patches], { name: '/unpatchify/Shape' })], {
    name: '/unpatchify/Reshape',
  });
  const velocity = g.op('DepthToSpace', [grid], { name: '/unpatchify/DepthToSpace', attrs: { blocksize: 2, mode: 'DCR' } });
  g.output(velocity, 'out_hidden_states', 'float32', ['batch', SD3_LATENT_CHANNELS, 'height', 'width']);
  return g;
}
