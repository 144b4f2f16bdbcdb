// The tiny VAE: random weights with SD's interface. Decoder latent_sample [B,4,h,w] -> sample [B,3,8h,8w]
// in [-1, 1] (Tanh); encoder sample -> latent_sample (8x8 average, 1x1 conv).
import { GraphBuilder } from '../../onnx/builder';
import { TinyLayers, WeightRandom } from './layers';

const HIDDEN = 16;

/** SD's 4 latent channels by default; SD3/Flux's tiny models take 16 (with their own seeds). */
export interface TinyVaeOptions {
  channels?: number;
  seed?: number;
}

export function buildTinyVaeDecoder(opts: TinyVaeOptions = {}): GraphBuilder {
  const c = opts.channels ?? 4;
  const g = new GraphBuilder('tiny_sd_vae_decoder');
  const l = new TinyLayers(g, new WeightRandom(opts.seed ?? 0x5eed03));
  const z = g.input('latent_sample', 'float32', ['batch', c, 'latent_height', 'latent_width']);
  const h = l.silu('/decoder/conv_act', l.conv('decoder.conv_in', z, c, HIDDEN, 3));
  const up = g.op('Resize', [h, null, g.constant([1, 1, 8, 8], [4], 'decoder.upsample.scales')], {
    name: '/decoder/up_blocks.0/upsamplers.0/Resize', attrs: { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' },
  });
  const rgb = g.op('Tanh', [l.conv('decoder.conv_out', up, HIDDEN, 3, 3)], { name: '/decoder/Tanh' });
  g.output(rgb, 'sample', 'float32', ['batch', 3, 'height', 'width']);
  return g;
}

export function buildTinyVaeEncoder(opts: TinyVaeOptions = {}): GraphBuilder {
  const c = opts.channels ?? 4;
  const g = new GraphBuilder('tiny_sd_vae_encoder');
  const l = new TinyLayers(g, new WeightRandom(opts.seed ?? 0x5eed04));
  const x = g.input('sample', 'float32', ['batch', 3, 'height', 'width']);
  const pooled = g.op('AveragePool', [x], { name: '/encoder/AveragePool', attrs: { kernel_shape: [8, 8], strides: [8, 8] } });
  g.output(l.conv('encoder.quant_conv', pooled, 3, c, 1), 'latent_sample', 'float32', ['batch', c, 'latent_height', 'latent_width']);
  return g;
}
