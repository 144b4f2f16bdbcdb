// The tiny Flux transformer: random weights with the interface of an ONNX export of FluxTransformer2DModel:
// hidden_states [B, N, 64] (2x2-packed 16-channel latent, N = h/2 · w/2), encoder_hidden_states [B, T, D],
// pooled_projections [B, P], timestep [B] (sigma, 0..1: FluxPipeline divides by 1000), img_ids [N, 3],
// txt_ids [T, 3], guidance [B] -> out_hidden_states [B, N, 64]. Like diffusers, timestep and guidance are
// scaled by 1000 inside; positions enter through a sinusoidal embedding of the ids (Flux uses RoPE from them).
import { GraphBuilder, type GraphValue } from '../../onnx/builder';
import { TinyLayers, WeightRandom } from '../tiny-sd/layers';
import { embedder, jointBlock, outputHead, sinusoid, TINY_INNER } from '../tiny-sd3/mmdit';
import type { TinyTransformerDims } from '../tiny-sd3/transformer';

const PACKED = 64;
const ID_FREQS = [1, 0.5, 0.25, 0.125];

/** [L, 3] ids -> [L, D]: sin/cos of each axis at a few frequencies, then a linear layer. */
function idEmbedding(l: TinyLayers, path: string, ids: GraphValue): GraphValue {
  const g = l.g;
  const s = `/${path}`;
  const freqs = new Float32Array(3 * 3 * ID_FREQS.length);
  for (let axis = 0; axis < 3; axis++) ID_FREQS.forEach((f, i) => (freqs[axis * 3 * ID_FREQS.length + axis * ID_FREQS.length + i] = f));
  const args = g.op('MatMul', [ids, g.constant(freqs, [3, 3 * ID_FREQS.length])], { name: `${s}/MatMul` });
  const feats = g.op('Concat', [g.op('Cos', [args], { name: `${s}/Cos` }), g.op('Sin', [args], { name: `${s}/Sin` })], { name: `${s}/Concat`, attrs: { axis: 1 } });
  return l.linear(path, feats, 6 * ID_FREQS.length, TINY_INNER);
}

export function buildTinyFluxTransformer(dims: TinyTransformerDims): GraphBuilder {
  const g = new GraphBuilder('tiny_flux_transformer');
  const l = new TinyLayers(g, new WeightRandom(0xf1a001));
  const sample = g.input('hidden_states', 'float32', ['batch', 'image_tokens', PACKED]);
  const context = g.input('encoder_hidden_states', 'float32', ['batch', 'text_tokens', dims.context]);
  const pooled = g.input('pooled_projections', 'float32', ['batch', dims.pooled]);
  const timestep = g.input('timestep', 'float32', ['batch']);
  const imgIds = g.input('img_ids', 'float32', ['image_tokens', 3]);
  const txtIds = g.input('txt_ids', 'float32', ['text_tokens', 3]);
  const guidance = g.input('guidance', 'float32', ['batch']);

  const thousand = (x: GraphValue, n: string) => g.op('Mul', [x, g.scalar(1000)], { name: `/time_text_embed/${n}/Mul_1000` });
  const time = embedder(l, 'time_text_embed.timestep_embedder', sinusoid(l, '/time_text_embed/time_proj', thousand(timestep, 'time')), 16);
  const guide = embedder(l, 'time_text_embed.guidance_embedder', sinusoid(l, '/time_text_embed/guidance_proj', thousand(guidance, 'guidance')), 16);
  const text = embedder(l, 'time_text_embed.text_embedder', pooled, dims.pooled);
  const temb = g.op('Add', [g.op('Add', [time, guide], { name: '/time_text_embed/Add' }), text], { name: '/time_text_embed/Add_1' });

  const img = g.op('Add', [l.linear('x_embedder', sample, PACKED, TINY_INNER), idEmbedding(l, 'pos_embed.img', imgIds)], { name: '/x_embedder/Add_ids' });
  const txt = g.op('Add', [l.linear('context_embedder', context, dims.context, TINY_INNER), idEmbedding(l, 'pos_embed.txt', txtIds)], { name: '/context_embedder/Add_ids' });
  const block = jointBlock(l, 'transformer_blocks.0', img, txt, temb);
  g.output(outputHead(l, block.img, temb, PACKED), 'out_hidden_states', 'float32', ['batch', 'image_tokens', PACKED]);
  return g;
}
