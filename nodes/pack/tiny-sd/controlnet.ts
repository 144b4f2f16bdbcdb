// The tiny ControlNet for tiny-sd: random weights, diffusers' ControlNetModel layout at tiny-sd's size. Inputs sample
// [B,4,h,w], timestep int64 [B], encoder_hidden_states [B,T,32], controlnet_cond [B,3,8h,8w] (the hint in [0,1]),
// conditioning_scale (scalar); outputs one residual per skip connection of the tiny U-Net (down_block_0,
// [B,32,h/2,w/2]) and mid_block_res_sample, each multiplied by conditioning_scale, as ControlNetModel.forward does.
import { GraphBuilder, type GraphValue } from '../../onnx/builder';
import { TinyLayers, WeightRandom } from './layers';
import { CONTROL_DOWN_INPUT, resnet, timeEmbedding, TINY_CHANNELS, TINY_CONTEXT_DIM, transformer } from './unet';

/** Output names; the down residuals share the U-Net's input names (down_block_<i>), the mid one is diffusers'. */
export const CONTROL_MID_OUTPUT = 'mid_block_res_sample';

/**
 * ControlNetConditioningEmbedding: the hint brought from image to latent size by three stride-2 convs (SD's
 * 16-32-96-256 channels scaled down to 8-16-32), each after a same-size conv, then conv_out to the U-Net's width.
 */
function conditioningEmbedding(l: TinyLayers, hint: GraphValue): GraphValue {
  const p = 'controlnet_cond_embedding';
  let h = l.silu(`/${p}/act`, l.conv(`${p}.conv_in`, hint, 3, 8, 3));
  const plan: [number, number, number][] = [[8, 8, 1], [8, 16, 2], [16, 16, 1], [16, 32, 2], [32, 32, 1], [32, 32, 2]];
  plan.forEach(([inC, outC, stride], i) => {
    h = l.silu(`/${p}/blocks.${i}/act`, l.conv(`${p}.blocks.${i}`, h, inC, outC, 3, { stride }));
  });
  return l.conv(`${p}.conv_out`, h, 32, TINY_CHANNELS, 3);
}

export function buildTinyControlNet(): GraphBuilder {
  const g = new GraphBuilder('tiny_sd_controlnet');
  const l = new TinyLayers(g, new WeightRandom(0x5eed05));
  const c = TINY_CHANNELS;
  const sample = g.input('sample', 'float32', ['batch', 4, 'height', 'width']);
  const timestep = g.input('timestep', 'int64', ['batch']);
  const context = g.input('encoder_hidden_states', 'float32', ['batch', 'sequence', TINY_CONTEXT_DIM]);
  const hint = g.input('controlnet_cond', 'float32', ['batch', 3, 'image_height', 'image_width']);
  const scale = g.input('conditioning_scale', 'float32', []);
  const temb = timeEmbedding(l, timestep);

  let h = g.op('Add', [l.conv('conv_in', sample, 4, c, 3), conditioningEmbedding(l, hint)], { name: '/Add_cond' });
  h = resnet(l, 'down_blocks.0.resnets.0', h, temb, c, c);
  h = transformer(l, 'down_blocks.0.attentions.0', h, context, false);
  const skip = l.conv('down_blocks.0.downsamplers.0.conv', h, c, c, 3, { stride: 2 });
  h = resnet(l, 'mid_block.resnets.0', skip, temb, c, c);
  h = transformer(l, 'mid_block.attentions.0', h, context, true);
  h = resnet(l, 'mid_block.resnets.1', h, temb, c, c);

  const half = ['batch', c, 'half_height', 'half_width'];
  const down = g.op('Mul', [l.conv('controlnet_down_blocks.0', skip, c, c, 1), scale], { name: '/controlnet_down_blocks.0/Mul' });
  const mid = g.op('Mul', [l.conv('controlnet_mid_block', h, c, c, 1), scale], { name: '/controlnet_mid_block/Mul' });
  g.output(down, `${CONTROL_DOWN_INPUT}0`, 'float32', half);
  g.output(mid, CONTROL_MID_OUTPUT, 'float32', half);
  return g;
}
