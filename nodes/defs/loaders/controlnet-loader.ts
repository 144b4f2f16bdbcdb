// Load ControlNet: a diffusers ControlNetModel .onnx export from models/controlnet -> CONTROL_NET (nodes/models/controlnet.ts).
import { defineNode, param } from '../../define';
import { loadControlNet } from '../../models/controlnet';

export const controlNetLoader = defineNode({
  type: 'controlnet_loader',
  version: 1,
  title: 'Load ControlNet',
  category: 'loaders',
  description: 'Loads a ControlNet (.onnx) from models/controlnet; Apply ControlNet attaches it with a hint image to the conditioning.',
  aliases: ['ControlNet Loader'],
  inputs: {},
  params: {
    control_net_name: param.model('controlnet', { default: 'tiny-sd-controlnet.onnx', label: 'ControlNet' }),
  },
  outputs: { control_net: { type: 'CONTROL_NET' } },
  files: (p, { models }) => [models.resolve('controlnet', p.control_net_name)],
  async execute(ctx, _inputs, p) {
    const file = ctx.models.resolve('controlnet', p.control_net_name);
    return { control_net: await loadControlNet(ctx.runtime, file, p.control_net_name) };
  },
});
