// OnnxDenoiser's reading of a session's interface: the SD U-Net names, the SD3 transformer names Optimum exports,
// and a clear error for inputs neither feeds. Fake sessions: only the declared inputs/outputs and the feeds matter.
import { describe, expect, it } from 'vitest';
import type { FeedValue, TensorInfo } from '../onnx/feeds';
import { OnnxDenoiser, type DenoiserSession } from './denoiser';
import { ModelFormatError } from './errors';

function fakeSession(inputs: TensorInfo[], output: string, seen: Record<string, FeedValue>[] = []): DenoiserSession {
  return {
    inputs, outputs: [{ name: output, type: 'float32', dims: ['batch', 4, 'h', 'w'] }], key: 'fake', provider: 'cpu',
    run: async (feeds: Record<string, FeedValue>) => {
      seen.push(feeds);
      const x = Object.values(feeds)[0];
      return { [output]: { type: 'float32', dims: x.dims, data: new Float32Array(x.data.length).fill(2) } };
    },
  } as unknown as DenoiserSession;
}

const latent = (b: number) => ({ data: new Float32Array(b * 4 * 2 * 2), dims: [b, 4, 2, 2] });
const context = { data: new Float32Array(3 * 8), dims: [1, 3, 8] };

describe('OnnxDenoiser interfaces', () => {
  it('feeds an SD3 transformer hidden_states, timestep per item, the context and zero pooled projections of its width', async () => {
    const seen: Record<string, FeedValue>[] = [];
    const d = new OnnxDenoiser(fakeSession([
      { name: 'hidden_states', type: 'float32', dims: ['batch', 4, 'h', 'w'] },
      { name: 'encoder_hidden_states', type: 'float32', dims: ['batch', 'seq', 8] },
      { name: 'pooled_projections', type: 'float32', dims: ['batch', 6] },
      { name: 'timestep', type: 'float32', dims: ['step'] },
    ], 'out_hidden_states', seen), 'transformer/model.onnx', 'transformer "t"');
    const out = await d.predict(latent(2), 857.5, context);
    expect(out.dims).toEqual([2, 4, 2, 2]);
    expect(out.data[0]).toBe(2);
    expect(Object.keys(seen[0]).sort()).toEqual(['encoder_hidden_states', 'hidden_states', 'pooled_projections', 'timestep']);
    expect(seen[0].pooled_projections.dims).toEqual([2, 6]);
    expect(seen[0].timestep.data).toEqual(Float32Array.of(857.5, 857.5));
    expect(seen[0].encoder_hidden_states.dims).toEqual([2, 3, 8]);
  });

  it('takes a Flux-style export (packed [B, N, 64] latents: 16 channels) and names an input no interface here feeds', () => {
    const flux: TensorInfo[] = [
      { name: 'hidden_states', type: 'float32', dims: ['batch', 'seq', 64] },
      { name: 'encoder_hidden_states', type: 'float32', dims: ['batch', 'seq', 4096] },
      { name: 'pooled_projections', type: 'float32', dims: ['batch', 768] },
      { name: 'timestep', type: 'float32', dims: ['batch'] },
      { name: 'img_ids', type: 'float32', dims: ['seq', 3] },
      { name: 'txt_ids', type: 'float32', dims: ['seq', 3] },
      { name: 'guidance', type: 'float32', dims: ['batch'] },
    ];
    expect(new OnnxDenoiser(fakeSession([...flux], 'out_hidden_states'), 'flux/transformer/model.onnx', 'transformer "flux"').channels).toBe(16);
    const make = () => new OnnxDenoiser(fakeSession([...flux, { name: 'controlnet_block_samples', type: 'float32', dims: ['batch', 'seq', 3072] }], 'out_hidden_states'), 'flux/transformer/model.onnx', 'transformer "flux"');
    expect(make).toThrow(ModelFormatError);
    expect(make).toThrow(/flux\/transformer\/model\.onnx: has inputs controlnet_block_samples/);
  });
});
