// withControlNet on fakes: which rows of a guided call get residuals (by position: uncond/cond, and each run of a
// dynamic batch), the step window, the scale, and errors.
import { describe, expect, it } from 'vitest';
import type { ControlResiduals } from '../models/control-inputs';
import type { Tensor } from '../runtime/tensor';
import type { ConditioningValue, ControlHint, ControlNetModel } from '../values';
import { withControlNet, withControlRows, type ControllableModel } from './controlnet';
import { guidedOutput, guidedOutputs, type Guidance } from './guidance';

const info = (name: string, c: number) => ({ name, type: 'float32' as const, dims: ['batch', c, 'h', 'w'] as (string | number)[] });

/** A ControlNet whose residual is `scale` everywhere (one value per row and channel), calls counted. */
function fakeControlNet(channels = 2): ControlNetModel & { calls: number[] } {
  const calls: number[] = [];
  const full = (b: number, v: number): Tensor => ({ data: new Float32Array(b * channels).fill(v), dims: [b, channels, 1, 1] });
  return {
    kind: 'controlnet', name: 'cn', file: '/m/controlnet/cn.onnx', provider: 'cpu', loras: [], calls,
    outputs: { down: [info('down_block_0', channels)], mid: info('mid_block_res_sample', channels) },
    async residuals(sample, timestep, _context, hint, scale) {
      calls.push(timestep);
      expect(hint.dims).toEqual([sample.dims[0], 3, 16, 16]);
      return { down: [full(sample.dims[0], scale)], mid: full(sample.dims[0], 10 * scale) };
    },
  };
}

/** A U-Net recording the residuals of each call; its output is the sample. */
function fakeUNet(inputs = true): ControllableModel & { seen: (ControlResiduals | undefined)[] } {
  const seen: (ControlResiduals | undefined)[] = [];
  return {
    file: '/m/checkpoints/x/unet/model.onnx', maxBatch: 8, schedulerConfig: { num_train_timesteps: 1000 }, seen,
    controlInputs: inputs ? { down: [info('down_block_0', 2)], mid: info('mid_block_additional_residual', 2) } : undefined,
    async predict(sample, _t, _c, _s, _added, residuals) {
      seen.push(residuals);
      return sample;
    },
  };
}

const cond = (v: number, control?: ControlHint[]): ConditioningValue => ({
  embeddings: { data: new Float32Array(6).fill(v), dims: [1, 3, 2] }, prompt: String(v), tokens: [], control,
});
const hint = (controlNet: ControlNetModel, o: Partial<ControlHint> = {}): ControlHint => ({
  controlNet, image: { data: new Float32Array(3 * 4 * 4).fill(1), dims: [1, 3, 4, 4] }, strength: 0.5, start: 0, end: 1, ...o,
});
const sample: Tensor = { data: new Float32Array(16).fill(0.3), dims: [1, 4, 2, 2] };

/** The sampler's guidance for these prompts: embeddings and each prompt's ControlNets riding with its rows. */
const guide = (positive: ConditioningValue, negative: ConditioningValue, cfg = 7): Guidance => ({
  positive: positive.embeddings, negative: negative.embeddings, cfg,
  added: { positive: withControlRows(undefined, positive), negative: withControlRows(undefined, negative) },
});

describe('withControlNet', () => {
  it('one hint on both sides: one ControlNet call for uncond and cond rows, residuals scaled by strength', async () => {
    const cn = fakeControlNet();
    const unet = fakeUNet();
    const h = hint(cn);
    const d = withControlNet(unet, cond(1, [h]), cond(2, [h]));
    await guidedOutput(d, sample, 500, guide(cond(1, [h]), cond(2, [h])));
    expect(cn.calls).toEqual([500]);
    expect(Array.from(unet.seen[0]!.down[0].data)).toEqual([0.5, 0.5, 0.5, 0.5]);
    expect(Array.from(unet.seen[0]!.mid.data)).toEqual([5, 5, 5, 5]);
  });

  it('a hint on the positive only (ComfyUI\'s ControlNetApply): the uncond row gets zeros', async () => {
    const cn = fakeControlNet();
    const unet = fakeUNet();
    const p = cond(1, [hint(cn)]);
    const d = withControlNet(unet, p, cond(2));
    await guidedOutput(d, sample, 500, guide(p, cond(2)));
    // guidance stacks [uncond, cond]: row 0 is the negative's, row 1 the positive's.
    expect(Array.from(unet.seen[0]!.down[0].data)).toEqual([0, 0, 0.5, 0.5]);
    expect(Array.from(unet.seen[0]!.mid.data)).toEqual([0, 0, 5, 5]);
  });

  it('two hints add up; outside every window the U-Net gets no residuals and the ControlNet does not run', async () => {
    const cn = fakeControlNet();
    const unet = fakeUNet();
    // Percent at t is 1 - t/999: t = 999 -> 0, t = 0 -> 1.
    const early = hint(cn, { end: 0.5 });
    const late = hint(cn, { start: 0.5, strength: 2 });
    const d = withControlNet(unet, cond(1, [early, late]), cond(2, [early, late]));
    const g = guide(cond(1, [early, late]), cond(2, [early, late]));
    await guidedOutput(d, sample, 999, g);
    expect(Array.from(unet.seen[0]!.down[0].data)).toEqual([0.5, 0.5, 0.5, 0.5]);
    await guidedOutput(d, sample, 499.5, g);
    expect(Array.from(unet.seen[1]!.down[0].data)).toEqual([2.5, 2.5, 2.5, 2.5]);
    const narrowHint = cond(1, [hint(cn, { start: 0.2, end: 0.3 })]);
    const narrow = withControlNet(unet, narrowHint, cond(2));
    const before = cn.calls.length;
    await guidedOutput(narrow, sample, 999, guide(narrowHint, cond(2)));
    expect(unet.seen[2]).toBeUndefined();
    expect(cn.calls.length).toBe(before);
  });

  it('refuses a U-Net without residual inputs and a ControlNet of another width, naming the files', () => {
    const cn = fakeControlNet();
    expect(() => withControlNet(fakeUNet(false), cond(1, [hint(cn)]), cond(2))).toThrow(expect.objectContaining({
      code: 'controlnet_unsupported', message: expect.stringContaining('/m/checkpoints/x/unet/model.onnx'),
    }));
    expect(() => withControlNet(fakeUNet(), cond(1, [hint(fakeControlNet(3))]), cond(2))).toThrow(expect.objectContaining({
      code: 'controlnet_mismatch', message: expect.stringMatching(/cn\.onnx output down_block_0 has 3 channels but the U-Net .*model\.onnx input down_block_0 takes 2/),
    }));
  });

  it('identical prompts with different ControlNets: each row still gets its own side\'s (rows are placed, not matched)', async () => {
    const cn = fakeControlNet();
    const unet = fakeUNet();
    const p = cond(1, [hint(cn)]);
    await guidedOutput(withControlNet(unet, p, cond(1)), sample, 500, guide(p, cond(1)));
    expect(Array.from(unet.seen[0]!.down[0].data)).toEqual([0, 0, 0.5, 0.5]);
  });

  it('a dynamic batch: each run\'s rows get its own hints; rows sharing a ControlNet and strength share one call', async () => {
    const cn = fakeControlNet();
    const unet = fakeUNet();
    const a = cond(1, [hint(cn)]);
    const b = cond(3, [hint(cn, { strength: 2 })]);
    const c = cond(4, [hint(cn)]);
    // The batched loop calls the first run's denoiser for everyone.
    const d = withControlNet(unet, a, cond(2));
    const outs = await guidedOutputs(d, [a, b, c].map((p) => ({ sample, guidance: guide(p, cond(2)) })), 500);
    expect(outs.map((o) => o.calls)).toEqual([1, 1, 1]);
    // Rows: uncond a, b, c, then cond a, b, c. Strength 0.5 for a and c in one call, strength 2 for b in another.
    expect(Array.from(unet.seen[0]!.down[0].data)).toEqual([0, 0, 0, 0, 0, 0, 0.5, 0.5, 2, 2, 0.5, 0.5]);
    expect(cn.calls).toEqual([500, 500]);
  });
});
