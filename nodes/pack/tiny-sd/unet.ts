// The tiny SD-shaped U-Net: random weights, SD's interface (sample [B,4,8,8], timestep int64 [B],
// encoder_hidden_states [B,77,32] -> out_sample) and SD 1.x's module names: down_blocks.0 (resnet,
// transformer, downsampler), mid_block, up_blocks.0 (resnet with skip concat, transformer, upsampler).
// mid_block's attention weights are named by module path, down/up blocks' are anonymous as in real exports.
// Options give the tiny SDXL U-Nets: another context width and SDXL's added conditioning (text_embeds, time_ids).
import { GraphBuilder, type GraphValue } from '../../onnx/builder';
import { nodeScope, TinyLayers, WeightRandom, type LoraModuleSpec } from './layers';

export const TINY_CHANNELS = 32;
export const TINY_CONTEXT_DIM = 32;
export const TINY_LATENT_SIZE = 8;
const TIME_FEATURES = 16;
const TIME_DIM = 64;
const FF_INNER = 64;
/** The residual inputs of a ControlNet U-Net export (onnx-web's names: down_block_<i>, mid_block_additional_residual). */
export const CONTROL_DOWN_INPUT = 'down_block_';
export const CONTROL_MID_INPUT = 'mid_block_additional_residual';
/** Sinusoidal features per SDXL time id (SDXL: 256). */
const ADDED_TIME_FEATURES = 8;

export function resnet(l: TinyLayers, path: string, x: GraphValue, temb: GraphValue, inC: number, outC: number): GraphValue {
  const s = nodeScope(path);
  let h = l.conv(`${path}.conv1`, l.silu(`${s}/nonlinearity`, x), inC, outC, 3);
  const t = l.gemm(`${path}.time_emb_proj`, l.silu(`${s}/time_emb_proj/nonlinearity`, temb), TIME_DIM, outC, 1);
  h = l.g.op('Add', [h, l.g.op('Unsqueeze', [t, l.g.int64s([2, 3])], { name: `${s}/Unsqueeze` })], { name: `${s}/Add` });
  h = l.conv(`${path}.conv2`, l.silu(`${s}/nonlinearity_1`, h), outC, outC, 3);
  const skip = inC === outC ? x : l.conv(`${path}.conv_shortcut`, x, inC, outC, 1);
  return l.g.op('Add', [skip, h], { name: `${s}/Add_1` });
}

/** Transformer2DModel: proj_in, one BasicTransformerBlock (self-attn, cross-attn, GEGLU ff), proj_out. */
export function transformer(l: TinyLayers, path: string, x: GraphValue, context: GraphValue, named: boolean, contextDim = TINY_CONTEXT_DIM): GraphValue {
  const s = nodeScope(path);
  const c = TINY_CHANNELS;
  const g = l.g;
  const h0 = l.conv(`${path}.proj_in`, x, c, c, 1);
  const flat = g.op('Transpose', [g.op('Reshape', [h0, g.int64s([0, c, -1])], { name: `${s}/Reshape` })], { name: `${s}/Transpose`, attrs: { perm: [0, 2, 1] } });
  const block = `${path}.transformer_blocks.0`;
  const bs = nodeScope(block);
  const lin = (p: string, v: GraphValue, inF: number, outF: number, bias = false) => l.linear(`${block}.${p}`, v, inF, outF, { bias, named });

  const n1 = l.layerNorm(`${block}.norm1`, flat, c);
  const a1 = l.attention(`${bs}/attn1`, lin('attn1.to_q', n1, c, c), lin('attn1.to_k', n1, c, c), lin('attn1.to_v', n1, c, c), c);
  let h = g.op('Add', [lin('attn1.to_out.0', a1, c, c, true), flat], { name: `${bs}/Add` });

  const n2 = l.layerNorm(`${block}.norm2`, h, c);
  const a2 = l.attention(`${bs}/attn2`, lin('attn2.to_q', n2, c, c), lin('attn2.to_k', context, contextDim, c), lin('attn2.to_v', context, contextDim, c), c);
  h = g.op('Add', [lin('attn2.to_out.0', a2, c, c, true), h], { name: `${bs}/Add_1` });

  const n3 = l.layerNorm(`${block}.norm3`, h, c);
  const proj = lin('ff.net.0.proj', n3, c, 2 * FF_INNER, true);
  const [value, gate] = g.ops('Split', [proj, g.int64s([FF_INNER, FF_INNER])], 2, { name: `${bs}/ff/net.0/Split`, attrs: { axis: -1 } });
  // GELU via its erf form, as torch exports it
  const gelu = g.op('Mul', [g.op('Mul', [gate, g.op('Add', [g.op('Erf', [g.op('Div', [gate, g.scalar(Math.SQRT2)])], { name: `${bs}/ff/net.0/Erf` }), g.scalar(1)], { name: `${bs}/ff/net.0/Add` })], { name: `${bs}/ff/net.0/Mul` }), g.scalar(0.5)], { name: `${bs}/ff/net.0/Mul_1` });
  h = g.op('Add', [lin('ff.net.2', g.op('Mul', [value, gelu], { name: `${bs}/ff/net.0/Mul_2` }), FF_INNER, c, true), h], { name: `${bs}/Add_2` });

  const back = g.op('Reshape', [g.op('Transpose', [h], { name: `${s}/Transpose_1`, attrs: { perm: [0, 2, 1] } }), g.op('Shape', [x], { name: `${s}/Shape` })], { name: `${s}/Reshape_1` });
  return g.op('Add', [l.conv(`${path}.proj_out`, back, c, c, 1), x], { name: `${s}/Add` });
}

/**
 * SDXL's added conditioning (diffusers' text_time embedding): each time id through a sinusoidal projection
 * (add_time_proj), flattened, after the pooled text embedding, through add_embedding's two linears.
 */
function addedEmbedding(l: TinyLayers, textEmbeds: GraphValue, timeIds: GraphValue, pooledDim: number, ids: number): GraphValue {
  const g = l.g;
  const half = ADDED_TIME_FEATURES / 2;
  const freqs = Float32Array.from({ length: half }, (_, i) => Math.exp((-Math.log(10000) * i) / half));
  const t = g.op('Unsqueeze', [timeIds, g.int64s([2])], { name: '/add_time_proj/Unsqueeze' });
  const args = g.op('Mul', [t, g.initializer('add_time_proj.freqs', freqs, [1, 1, half])], { name: '/add_time_proj/Mul' });
  const feats = g.op('Concat', [g.op('Cos', [args], { name: '/add_time_proj/Cos' }), g.op('Sin', [args], { name: '/add_time_proj/Sin' })], { name: '/add_time_proj/Concat', attrs: { axis: 2 } });
  const flat = g.op('Reshape', [feats, g.int64s([0, ids * ADDED_TIME_FEATURES])], { name: '/Reshape' });
  const both = g.op('Concat', [textEmbeds, flat], { name: '/Concat', attrs: { axis: 1 } });
  const h = l.gemm('add_embedding.linear_1', both, pooledDim + ids * ADDED_TIME_FEATURES, TIME_DIM, 1);
  return l.gemm('add_embedding.linear_2', l.silu('/add_embedding/act', h), TIME_DIM, TIME_DIM, 1);
}

export function timeEmbedding(l: TinyLayers, timestep: GraphValue): GraphValue {
  const g = l.g;
  const half = TIME_FEATURES / 2;
  // diffusers' Timesteps: exp(-ln(10000) i / half), [cos, sin] after flip_sin_to_cos
  const freqs = Float32Array.from({ length: half }, (_, i) => Math.exp((-Math.log(10000) * i) / half));
  const t = g.op('Unsqueeze', [g.op('Cast', [timestep], { name: '/time_proj/Cast', attrs: { to: 1 } }), g.int64s([1])], { name: '/time_proj/Unsqueeze' });
  const args = g.op('Mul', [t, g.initializer('time_proj.freqs', freqs, [1, half])], { name: '/time_proj/Mul' });
  const feats = g.op('Concat', [g.op('Cos', [args], { name: '/time_proj/Cos' }), g.op('Sin', [args], { name: '/time_proj/Sin' })], { name: '/time_proj/Concat', attrs: { axis: 1 } });
  const h = l.gemm('time_embedding.linear_1', feats, TIME_FEATURES, TIME_DIM, 1);
  return l.gemm('time_embedding.linear_2', l.silu('/time_embedding/act', h), TIME_DIM, TIME_DIM, 0);
}

export interface TinyUnet {
  graph: GraphBuilder;
  modules: LoraModuleSpec[];
}

export interface TinyUnetOptions {
  name?: string;
  seed?: number;
  /** encoder_hidden_states width (tiny-sd: TINY_CONTEXT_DIM). */
  contextDim?: number;
  /** SDXL: inputs text_embeds [B, pooledDim] and time_ids [B, timeIds] (6 base, 5 refiner), added to the time embedding. */
  added?: { pooledDim: number; timeIds: 5 | 6 };
  /**
   * Also take ControlNet residuals (nodes/pack/tiny-sd/controlnet.ts): `down_block_0` is added to the one skip
   * connection the up block reads, `mid_block_additional_residual` to the mid block's output, as diffusers'
   * UNet2DConditionModel adds down_block_additional_residuals / mid_block_additional_residual. The weights are the
   * same (no random draw changes), so zero residuals give tiny-sd's output.
   */
  controlResiduals?: boolean;
  /** An inpainting U-Net (runwayml's layout) takes 9 channels: noisy latent, mask, masked-image latent. */
  inpainting?: boolean;
}

export function buildTinyUnet(opts: TinyUnetOptions = {}): TinyUnet {
  const g = new GraphBuilder(opts.name ?? 'tiny_sd_unet');
  const inC = opts.inpainting ? 9 : 4;
  const l = new TinyLayers(g, new WeightRandom(opts.seed ?? 0x5eed01));
  const c = TINY_CHANNELS;
  const contextDim = opts.contextDim ?? TINY_CONTEXT_DIM;
  const sample = g.input('sample', 'float32', ['batch', inC, 'height', 'width']);
  const timestep = g.input('timestep', 'int64', ['batch']);
  const context = g.input('encoder_hidden_states', 'float32', ['batch', 'sequence', contextDim]);
  let temb = timeEmbedding(l, timestep);
  if (opts.added) {
    const { pooledDim, timeIds } = opts.added;
    const textEmbeds = g.input('text_embeds', 'float32', ['batch', pooledDim]);
    const ids = g.input('time_ids', 'float32', ['batch', timeIds]);
    temb = g.op('Add', [temb, addedEmbedding(l, textEmbeds, ids, pooledDim, timeIds)], { name: '/Add' });
  }

  let h = l.conv('conv_in', sample, inC, c, 3);
  h = resnet(l, 'down_blocks.0.resnets.0', h, temb, c, c);
  h = transformer(l, 'down_blocks.0.attentions.0', h, context, false, contextDim);
  const skip = l.conv('down_blocks.0.downsamplers.0.conv', h, c, c, 3, { stride: 2 });

  h = resnet(l, 'mid_block.resnets.0', skip, temb, c, c);
  h = transformer(l, 'mid_block.attentions.0', h, context, true, contextDim);
  h = resnet(l, 'mid_block.resnets.1', h, temb, c, c);

  let skipIn = skip;
  if (opts.controlResiduals) {
    const half = ['batch', c, 'half_height', 'half_width'];
    skipIn = g.op('Add', [skip, g.input(`${CONTROL_DOWN_INPUT}0`, 'float32', half)], { name: '/down_block_res_samples/Add' });
    h = g.op('Add', [h, g.input(CONTROL_MID_INPUT, 'float32', half)], { name: '/mid_block/Add_residual' });
  }
  h = g.op('Concat', [h, skipIn], { name: '/up_blocks.0/Concat', attrs: { axis: 1 } });
  h = resnet(l, 'up_blocks.0.resnets.0', h, temb, 2 * c, c);
  h = transformer(l, 'up_blocks.0.attentions.0', h, context, false, contextDim);
  h = g.op('Resize', [h, null, g.constant([1, 1, 2, 2], [4], 'up_blocks.0.upsamplers.0.scales')], {
    name: '/up_blocks.0/upsamplers.0/Resize', attrs: { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' },
  });
  h = l.conv('up_blocks.0.upsamplers.0.conv', h, c, c, 3);

  const out = l.conv('conv_out', l.silu('/conv_act', h), c, 4, 3);
  g.output(out, 'out_sample', 'float32', ['batch', 4, 'height', 'width']);
  return { graph: g, modules: l.modules };
}
