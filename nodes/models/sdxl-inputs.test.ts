// OnnxDenoiser with SDXL's text_embeds/time_ids on a fixed-batch session: a CFG pair split into two calls sends each
// call the added rows of its own samples; broken exports and conditioning of the wrong width fail naming the input.
import { describe, expect, it } from 'vitest';
import type { FeedValue, TensorInfo } from '../onnx/feeds';
import { OnnxDenoiser, type DenoiserSession } from './denoiser';
import { ModelFormatError, ModelInputError } from './errors';

function session(inputs: TensorInfo[], seen: Record<string, FeedValue>[] = []): DenoiserSession {
  return {
    inputs, outputs: [{ name: 'out_sample', type: 'float32', dims: [1, 4, 'h', 'w'] }], key: 'fake', provider: 'cpu',
    run: async (feeds: Record<string, FeedValue>) => {
      seen.push(feeds);
      return { out_sample: { type: 'float32', dims: feeds.sample.dims, data: new Float32Array(feeds.sample.data.length) } };
    },
  } as unknown as DenoiserSession;
}

const unetInputs = (timeIds: number): TensorInfo[] => [
  { name: 'sample', type: 'float32', dims: [1, 4, 'h', 'w'] },
  { name: 'timestep', type: 'int64', dims: [1] },
  { name: 'encoder_hidden_states', type: 'float32', dims: [1, 77, 8] },
  { name: 'text_embeds', type: 'float32', dims: [1, 3] },
  { name: 'time_ids', type: 'float16', dims: [1, timeIds] },
];
const sample = { data: new Float32Array(2 * 4 * 4), dims: [2, 4, 2, 2] };
const context = { data: new Float32Array(2 * 77 * 8), dims: [2, 77, 8] };
const rows = (values: number[], width: number) => ({ data: Float32Array.from(values), dims: [values.length / width, width] });

describe('SDXL added inputs of the denoiser', () => {
  it('a fixed-batch U-Net gets each sample\'s own pooled and time-id row', async () => {
    const seen: Record<string, FeedValue>[] = [];
    const d = new OnnxDenoiser(session(unetInputs(6), seen), 'unet/model.onnx', 'U-Net "x"');
    expect(d.maxBatch).toBe(1);
    expect(d.sdxl?.timeIds).toBe(6);
    await d.predict(sample, 500, context, undefined, { pooled: rows([1, 1, 1, 2, 2, 2], 3), timeIds: rows([64, 64, 0, 0, 64, 64, 32, 32, 0, 0, 32, 32], 6) });
    expect(seen.map((f) => Array.from(f.text_embeds.data as Float32Array))).toEqual([[1, 1, 1], [2, 2, 2]]);
    expect(seen.map((f) => Array.from(f.time_ids.data as Float32Array))).toEqual([[64, 64, 0, 0, 64, 64], [32, 32, 0, 0, 32, 32]]);
  });

  it('refuses a time_ids width that is neither 6 nor 5, and one of the pair alone', () => {
    expect(() => new OnnxDenoiser(session(unetInputs(4)), 'u/model.onnx', 'U-Net')).toThrow(/u\/model\.onnx: time_ids must be \[batch, 6\] \(SDXL base\) or \[batch, 5\]/);
    expect(() => new OnnxDenoiser(session(unetInputs(6).slice(0, 4)), 'u/model.onnx', 'U-Net')).toThrow(ModelFormatError);
    expect(() => new OnnxDenoiser(session(unetInputs(6).slice(0, 4)), 'u/model.onnx', 'U-Net')).toThrow(/has text_embeds but no time_ids input/);
  });

  it('names the input and file when the added conditioning does not fit', async () => {
    const d = new OnnxDenoiser(session(unetInputs(5)), 'refiner/unet/model.onnx', 'U-Net "r"');
    const one = { data: new Float32Array(4 * 4), dims: [1, 4, 2, 2] };
    const ctx1 = { data: new Float32Array(77 * 8), dims: [1, 77, 8] };
    await expect(d.predict(one, 500, ctx1, undefined, { pooled: rows([1, 1, 1], 3), timeIds: rows([64, 64, 0, 0, 64, 64], 6) }))
      .rejects.toThrow(/refiner\/unet\/model\.onnx input time_ids takes width 5, but the time-id row has width 6/);
    await expect(d.predict(one, 500, ctx1, undefined, { timeIds: rows([64, 64, 0, 0, 6], 5) })).rejects.toBeInstanceOf(ModelInputError);
  });
});
