// OnnxControlNet's reading of an export's outputs: diffusers-style names, and onnx-web's exports, whose 13 outputs
// carry only two names (the first two) and are read by position as onnx-web's own pipeline does.
import { describe, expect, it } from 'vitest';
import type { TensorInfo } from '../onnx/feeds';
import { OnnxControlNet, type ControlNetSession } from './controlnet';

const info = (name: string, dims: (string | number)[] = ['batch', 8, 'h', 'w']): TensorInfo => ({ name, type: 'float32', dims });
const INPUTS = [info('sample', ['batch', 4, 'h', 'w']), info('timestep', ['batch']), info('encoder_hidden_states', ['batch', 'seq', 8]), info('controlnet_cond', ['batch', 3, 'H', 'W'])];

/** A session whose output k is filled with k + 1, feeds recorded. */
function session(outputNames: string[]): ControlNetSession & { feeds: Record<string, unknown>[] } {
  const feeds: Record<string, unknown>[] = [];
  const outputs = outputNames.map((n) => info(n));
  return {
    key: 'fake', provider: 'cpu', inputs: INPUTS, outputs, feeds,
    async run(f: Record<string, unknown>) {
      feeds.push(f);
      return Object.fromEntries(outputs.map((o, k) => [o.name, { type: 'float32', dims: [1, 1, 1, 1], data: Float32Array.of(k + 1) }]));
    },
  } as unknown as ControlNetSession & { feeds: Record<string, unknown>[] };
}

const sample = { data: new Float32Array(4), dims: [1, 4, 1, 1] };
const context = { data: new Float32Array(8), dims: [1, 1, 8] };
const hint = { data: new Float32Array(3 * 64), dims: [1, 3, 8, 8] };

describe('OnnxControlNet outputs', () => {
  it('onnx-web\'s export: outputs 0-11 are the down residuals and output 12 the mid one, whatever output 1 is called', async () => {
    // torch.onnx.export names only as many outputs as output_names lists; the rest keep generated names.
    const names = ['down_block_res_samples', 'mid_block_res_sample', ...Array.from({ length: 11 }, (_, i) => `onnx::Add_${900 + i}`)];
    const cn = new OnnxControlNet(session(names), '/m/controlnet/canny/model.onnx', 'canny');
    expect(cn.outputs.down.map((o) => o.name)).toEqual(names.slice(0, 12));
    expect(cn.outputs.mid.name).toBe('onnx::Add_910');
    // No conditioning_scale input: the residuals are scaled after the run, as onnx-web's pipeline does.
    const r = await cn.residuals(sample, 10, context, hint, 0.5);
    expect(r.down.map((t) => t.data[0])).toEqual(Array.from({ length: 12 }, (_, k) => (k + 1) / 2));
    expect(r.mid.data[0]).toBe(6.5);
  });

  it('named outputs: down residuals ordered by their number, the mid_block one found by name', () => {
    const cn = new OnnxControlNet(session(['down_block_res_samples_10', 'mid_block_res_sample', 'down_block_res_samples_2', 'down_block_res_samples_0']), '/m/c.onnx', 'c');
    expect(cn.outputs.down.map((o) => o.name)).toEqual(['down_block_res_samples_0', 'down_block_res_samples_2', 'down_block_res_samples_10']);
    expect(cn.outputs.mid.name).toBe('mid_block_res_sample');
  });
});
