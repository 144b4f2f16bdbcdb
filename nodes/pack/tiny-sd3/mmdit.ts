// Building blocks of the tiny SD3 and Flux transformers (random weights, diffusers' module names): sinusoidal
// embeddings, the adaLN-modulated joint attention block both families use (image and text tokens attend over
// their concatenation, each stream with its own projections), and the modulated output norm.
import type { GraphValue } from '../../onnx/builder';
import { nodeScope, type TinyLayers } from '../tiny-sd/layers';

/** Width of every token inside the tiny transformers. */
export const TINY_INNER = 32;
const FREQS = 8;

/** diffusers' Timesteps(flip_sin_to_cos): [cos, sin](x · exp(-ln(10000) i / half)) of a [B] float input -> [B, 16]. */
export function sinusoid(l: TinyLayers, scope: string, x: GraphValue): GraphValue {
  const g = l.g;
  const freqs = Float32Array.from({ length: FREQS }, (_, i) => Math.exp((-Math.log(10000) * i) / FREQS));
  const t = g.op('Unsqueeze', [x, g.int64s([1])], { name: `${scope}/Unsqueeze` });
  const args = g.op('Mul', [t, g.constant(freqs, [1, FREQS])], { name: `${scope}/Mul` });
  return g.op('Concat', [g.op('Cos', [args], { name: `${scope}/Cos` }), g.op('Sin', [args], { name: `${scope}/Sin` })], { name: `${scope}/Concat`, attrs: { axis: 1 } });
}

/** linear_1 -> SiLU -> linear_2, diffusers' TimestepEmbedding / PixArtAlphaTextProjection, [B, in] -> [B, TINY_INNER]. */
export function embedder(l: TinyLayers, path: string, x: GraphValue, inF: number): GraphValue {
  const h = l.gemm(`${path}.linear_1`, x, inF, TINY_INNER, 1);
  return l.gemm(`${path}.linear_2`, l.silu(`${nodeScope(path)}/act`, h), TINY_INNER, TINY_INNER, 1);
}

/** LayerNorm without affine, then x·(1 + scale) + shift with [shift, scale] = Linear(SiLU(temb)) per batch item. */
function modulated(l: TinyLayers, path: string, x: GraphValue, temb: GraphValue): GraphValue {
  const g = l.g;
  const s = nodeScope(path);
  const mod = l.gemm(`${path}.linear`, l.silu(`${s}/silu`, temb), TINY_INNER, 2 * TINY_INNER, 1);
  const [shift, scale] = g.ops('Split', [g.op('Unsqueeze', [mod, g.int64s([1])], { name: `${s}/Unsqueeze` }), g.int64s([TINY_INNER, TINY_INNER])], 2, {
    name: `${s}/Split`, attrs: { axis: -1 },
  });
  const n = l.layerNorm(`${path}.norm`, x, TINY_INNER);
  const scaled = g.op('Mul', [n, g.op('Add', [scale, g.scalar(1)], { name: `${s}/Add` })], { name: `${s}/Mul` });
  return g.op('Add', [scaled, shift], { name: `${s}/Add_1` });
}

/** GELU (tanh form, as SD3/Flux feed-forwards) MLP with 2x expansion, [.., D] -> [.., D]. */
function feedForward(l: TinyLayers, path: string, x: GraphValue): GraphValue {
  const g = l.g;
  const s = nodeScope(path);
  const h = l.linear(`${path}.net.0.proj`, x, TINY_INNER, 2 * TINY_INNER);
  const inner = g.op('Mul', [g.scalar(Math.sqrt(2 / Math.PI)), g.op('Add', [h, g.op('Mul', [g.scalar(0.044715), g.op('Pow', [h, g.scalar(3)], { name: `${s}/Pow` })], { name: `${s}/Mul` })], { name: `${s}/Add` })], { name: `${s}/Mul_1` });
  const gelu = g.op('Mul', [g.op('Mul', [h, g.scalar(0.5)], { name: `${s}/Mul_2` }), g.op('Add', [g.op('Tanh', [inner], { name: `${s}/Tanh` }), g.scalar(1)], { name: `${s}/Add_1` })], { name: `${s}/Mul_3` });
  return l.linear(`${path}.net.2`, gelu, 2 * TINY_INNER, TINY_INNER);
}

/**
 * One joint block: both streams modulated by temb, queries of each stream attend over the keys/values of
 * [text, image] together (the same numbers as one joint attention split afterwards), residual attention and
 * feed-forward per stream. img [B, N, D], txt [B, T, D], temb [B, D].
 */
export function jointBlock(l: TinyLayers, path: string, img: GraphValue, txt: GraphValue, temb: GraphValue): { img: GraphValue; txt: GraphValue } {
  const g = l.g;
  const s = nodeScope(path);
  const nImg = modulated(l, `${path}.norm1`, img, temb);
  const nTxt = modulated(l, `${path}.norm1_context`, txt, temb);
  const lin = (p: string, x: GraphValue) => l.linear(`${path}.attn.${p}`, x, TINY_INNER, TINY_INNER);
  const cat = (a: GraphValue, b: GraphValue, n: string) => g.op('Concat', [a, b], { name: `${s}/attn/${n}`, attrs: { axis: 1 } });
  const k = cat(lin('add_k_proj', nTxt), lin('to_k', nImg), 'Concat');
  const v = cat(lin('add_v_proj', nTxt), lin('to_v', nImg), 'Concat_1');
  const aImg = l.attention(`${s}/attn/img`, lin('to_q', nImg), k, v, TINY_INNER);
  const aTxt = l.attention(`${s}/attn/txt`, lin('add_q_proj', nTxt), k, v, TINY_INNER);
  let outImg = g.op('Add', [img, lin('to_out.0', aImg)], { name: `${s}/Add` });
  let outTxt = g.op('Add', [txt, lin('to_add_out', aTxt)], { name: `${s}/Add_1` });
  outImg = g.op('Add', [outImg, feedForward(l, `${path}.ff`, modulated(l, `${path}.norm2`, outImg, temb))], { name: `${s}/Add_2` });
  outTxt = g.op('Add', [outTxt, feedForward(l, `${path}.ff_context`, modulated(l, `${path}.norm2_context`, outTxt, temb))], { name: `${s}/Add_3` });
  return { img: outImg, txt: outTxt };
}

/** norm_out (modulated by temb) and proj_out to `outF` features per image token. */
export function outputHead(l: TinyLayers, img: GraphValue, temb: GraphValue, outF: number): GraphValue {
  return l.linear('proj_out', modulated(l, 'norm_out', img, temb), TINY_INNER, outF);
}
