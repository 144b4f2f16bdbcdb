// Full-loop numbers published in diffusers' tests/schedulers/test_scheduler_*.py, reproduced with the
// same configs, the same dummy model/sample, torch.manual_seed(0) noise, and the same tolerances.
import { describe, expect, it } from 'vitest';
import { createNoise } from '../noise';
import { absMean, absSum, dummyModel, dummyNoiseDeter, dummySampleDeter, scale } from './diffusersDummies';
import { createScheduler } from './index';
import type { Scheduler } from './types';

interface Loop {
  /** diffusers' t_start for the with_noise variants (timesteps[t_start * order:], add_noise at the first). */
  tStart?: number;
  steps?: number;
  dims?: number[];
  /** Sigma-based loops scale the start sample by init_noise_sigma and call scale_model_input. */
  sigmaLoop?: boolean;
  eta?: number;
}

function fullLoop(scheduler: Scheduler, loop: Loop = {}): Float32Array {
  const dims = loop.dims ?? [4, 3, 8, 8];
  scheduler.setTimesteps(loop.steps ?? 10);
  const noise = createNoise(0, 'torch');
  let x = dummySampleDeter(dims);
  if (loop.sigmaLoop) x = scale(x, scheduler.initNoiseSigma);
  let timesteps = scheduler.timesteps;
  if (loop.tStart !== undefined) {
    timesteps = timesteps.slice(loop.tStart * scheduler.order);
    x = scheduler.addNoise(x, dummyNoiseDeter(dims), timesteps[0]);
  }
  for (const t of timesteps) {
    if (loop.sigmaLoop) x = scheduler.scaleModelInput(x, t);
    x = scheduler.step(dummyModel(x, t), t, x, { noise, eta: loop.eta, batch: dims[0] }).prevSample;
  }
  return x;
}

interface Case {
  name: string;
  config?: Record<string, unknown>;
  loop?: Loop;
  sum?: [number, number];
  mean: [number, number];
}

function check(scheduler: string, base: Record<string, unknown>, cases: Case[], defaults: Loop = {}): void {
  describe(scheduler, () => {
    for (const c of cases) {
      it(c.name, () => {
        const s = createScheduler(scheduler, { ...base, ...c.config });
        const x = fullLoop(s, { ...defaults, ...c.loop });
        if (c.sum) expect(Math.abs(absSum(x) - c.sum[0])).toBeLessThan(c.sum[1]);
        expect(Math.abs(absMean(x) - c.mean[0])).toBeLessThan(c.mean[1]);
      });
    }
  });
}

const linear1000 = { num_train_timesteps: 1000, beta_start: 0.0001, beta_end: 0.02, beta_schedule: 'linear' };
const linear1100 = { ...linear1000, num_train_timesteps: 1100 };

check('DDIMScheduler', { ...linear1000, clip_sample: true }, [
  { name: 'full loop, no noise', sum: [172.0067, 1e-2], mean: [0.223967, 1e-3] },
  { name: 'v_prediction', config: { prediction_type: 'v_prediction' }, sum: [52.5302, 1e-2], mean: [0.0684, 1e-3] },
  { name: 'set_alpha_to_one', config: { set_alpha_to_one: true, beta_start: 0.01 }, sum: [149.8295, 1e-2], mean: [0.1951, 1e-3] },
  { name: 'no set_alpha_to_one', config: { set_alpha_to_one: false, beta_start: 0.01 }, sum: [149.0784, 1e-2], mean: [0.1941, 1e-3] },
  { name: 'with noise (t_start 8)', loop: { tStart: 8 }, sum: [354.5418, 1e-2], mean: [0.4616, 1e-3] },
], { eta: 0 });

check('PNDMScheduler', linear1000, [
  { name: 'full loop (PRK + PLMS), no noise', sum: [198.1318, 1e-2], mean: [0.258, 1e-3] },
  { name: 'v_prediction', config: { prediction_type: 'v_prediction' }, sum: [67.3986, 1e-2], mean: [0.0878, 1e-3] },
  { name: 'set_alpha_to_one', config: { set_alpha_to_one: true, beta_start: 0.01 }, sum: [230.0399, 1e-2], mean: [0.2995, 1e-3] },
  { name: 'no set_alpha_to_one', config: { set_alpha_to_one: false, beta_start: 0.01 }, sum: [186.9482, 1e-2], mean: [0.2434, 1e-3] },
]);

check('EulerDiscreteScheduler', linear1100, [
  { name: 'full loop, no noise', sum: [10.0807, 1e-2], mean: [0.0131, 1e-3] },
  { name: 'v_prediction', config: { prediction_type: 'v_prediction' }, sum: [0.0002, 1e-2], mean: [2.2676e-6, 1e-3] },
  { name: 'karras sigmas', config: { use_karras_sigmas: true }, sum: [124.52299499511719, 1e-2], mean: [0.16213932633399963, 1e-3] },
  { name: 'with noise (t_start 8)', loop: { tStart: 8 }, sum: [57062.9297, 1e-2], mean: [74.3007, 1e-3] },
], { sigmaLoop: true });

check('EulerAncestralDiscreteScheduler', linear1100, [
  { name: 'full loop, torch.manual_seed(0) noise', sum: [152.3192, 1e-2], mean: [0.1983, 1e-3] },
  { name: 'v_prediction', config: { prediction_type: 'v_prediction' }, sum: [108.4439, 1e-2], mean: [0.1412, 1e-3] },
  { name: 'with noise (t_start 8)', loop: { tStart: 8 }, sum: [56163.0508, 1e-2], mean: [73.129, 1e-3] },
], { sigmaLoop: true });

check('HeunDiscreteScheduler', linear1100, [
  { name: 'full loop, no noise', sum: [0.1233, 1e-2], mean: [0.0002, 1e-3] },
  { name: 'v_prediction', config: { prediction_type: 'v_prediction' }, sum: [4.6934e-7, 1e-2], mean: [6.1112e-10, 1e-3] },
  { name: 'karras sigmas', config: { use_karras_sigmas: true }, sum: [0.00015, 1e-2], mean: [1.9869554535034695e-7, 1e-2] },
  { name: 'with noise (t_start 8)', loop: { tStart: 8 }, sum: [75074.8906, 1e-2], mean: [97.7538, 1e-3] },
], { sigmaLoop: true });

check('LMSDiscreteScheduler', linear1100, [
  { name: 'full loop, no noise', sum: [1006.388, 1e-2], mean: [1.31, 1e-3] },
  { name: 'v_prediction', config: { prediction_type: 'v_prediction' }, sum: [0.0017, 1e-2], mean: [2.2676e-6, 1e-3] },
  { name: 'karras sigmas', config: { use_karras_sigmas: true }, sum: [3812.9927, 2e-2], mean: [4.9648, 1e-3] },
  { name: 'with noise (t_start 8)', loop: { tStart: 8 }, sum: [27663.6895, 1e-2], mean: [36.0204, 1e-3] },
], { sigmaLoop: true });

const dpmBase = {
  ...linear1000, solver_order: 2, prediction_type: 'epsilon', thresholding: false, sample_max_value: 1.0,
  algorithm_type: 'dpmsolver++', solver_type: 'midpoint', lower_order_final: false, euler_at_final: false,
  lambda_min_clipped: null, variance_type: null, final_sigmas_type: 'sigma_min',
};
check('DPMSolverMultistepScheduler', dpmBase, [
  { name: 'full loop, no noise', mean: [0.3301, 1e-3] },
  { name: 'with noise (t_start 5)', loop: { tStart: 5 }, sum: [318.4111, 1e-2], mean: [0.4146, 1e-3] },
  { name: 'dynamic thresholding', config: { thresholding: true, dynamic_thresholding_ratio: 0.87, sample_max_value: 0.5 }, mean: [1.1364, 1e-3] },
  { name: 'v_prediction', config: { prediction_type: 'v_prediction' }, mean: [0.2251, 1e-3] },
  { name: 'karras + v_prediction', config: { prediction_type: 'v_prediction', use_karras_sigmas: true }, mean: [0.2096, 1e-3] },
  { name: 'lu lambdas + v_prediction', config: { prediction_type: 'v_prediction', use_lu_lambdas: true }, mean: [0.1554, 1e-3] },
]);

const uniPcBase = { ...linear1000, solver_order: 2, solver_type: 'bh2', final_sigmas_type: 'sigma_min' };
check('UniPCMultistepScheduler', uniPcBase, [
  { name: 'full loop, no noise', mean: [0.2464, 1e-3] },
  { name: 'karras', config: { use_karras_sigmas: true }, mean: [0.2925, 1e-3] },
  { name: 'v_prediction', config: { prediction_type: 'v_prediction' }, mean: [0.1014, 1e-3] },
  { name: 'karras + v_prediction', config: { prediction_type: 'v_prediction', use_karras_sigmas: true }, mean: [0.1966, 1e-3] },
  { name: 'with noise (t_start 8)', loop: { tStart: 8 }, sum: [315.5757, 1e-2], mean: [0.4109, 1e-3] },
  { name: '1D sample: full loop', loop: { dims: [4, 3, 8] }, mean: [0.2441, 1e-3] },
  { name: '1D sample: karras', config: { use_karras_sigmas: true }, loop: { dims: [4, 3, 8] }, mean: [0.2898, 1e-3] },
  { name: '1D sample: v_prediction', config: { prediction_type: 'v_prediction' }, loop: { dims: [4, 3, 8] }, mean: [0.1014, 1e-3] },
  { name: '1D sample: karras + v_prediction', config: { prediction_type: 'v_prediction', use_karras_sigmas: true }, loop: { dims: [4, 3, 8] }, mean: [0.1944, 1e-3] },
  { name: '1D sample: with noise', loop: { dims: [4, 3, 8], tStart: 8 }, sum: [39.087, 1e-2], mean: [0.4072, 1e-3] },
]);

check('LCMScheduler', { ...linear1000, beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear', prediction_type: 'epsilon' }, [
  { name: 'one step', loop: { steps: 1 }, sum: [18.7097, 1e-3], mean: [0.0244, 1e-3] },
  { name: 'ten steps, torch.manual_seed(0) noise', loop: { steps: 10 }, sum: [197.7616, 1e-3], mean: [0.2575, 1e-3] },
]);

describe('DDPMScheduler (all 1000 training timesteps, torch.manual_seed(0) noise each step)', () => {
  const base = { ...linear1000, variance_type: 'fixed_small', clip_sample: true };
  const run = (config: Record<string, unknown>, tStart?: number): Float32Array => {
    const s = createScheduler('DDPMScheduler', { ...base, ...config });
    const noise = createNoise(0, 'torch');
    let x = dummySampleDeter();
    let timesteps = s.timesteps;
    if (tStart !== undefined) {
      timesteps = timesteps.slice(tStart);
      x = s.addNoise(x, dummyNoiseDeter(), timesteps[0]);
    }
    for (const t of timesteps) x = s.step(dummyModel(x, t), t, x, { noise }).prevSample;
    return x;
  };
  it('full loop', () => {
    const x = run({});
    expect(Math.abs(absSum(x) - 258.9606)).toBeLessThan(1e-2);
    expect(Math.abs(absMean(x) - 0.3372)).toBeLessThan(1e-3);
  });
  it('v_prediction', () => {
    const x = run({ prediction_type: 'v_prediction' });
    expect(Math.abs(absSum(x) - 202.0296)).toBeLessThan(1e-2);
    expect(Math.abs(absMean(x) - 0.2631)).toBeLessThan(1e-3);
  });
  it('with noise (t_start 998)', () => {
    const x = run({}, 998);
    expect(Math.abs(absSum(x) - 387.9466)).toBeLessThan(1e-2);
    expect(Math.abs(absMean(x) - 0.5051)).toBeLessThan(1e-3);
  });
});
