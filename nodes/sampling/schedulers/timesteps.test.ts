// Timestep tables, training schedules and variances against diffusers' published values and the
// numpy formulas its set_timesteps implements.
import { describe, expect, it } from 'vitest';
import { createScheduler, DDIMScheduler, DDPMScheduler, HeunDiscreteScheduler, PNDMScheduler } from './index';

describe('timestep spacing', () => {
  it('DDIM leading + steps_offset=1, 5 steps (test_scheduler_ddim.py)', () => {
    const s = createScheduler('ddim', { steps_offset: 1 });
    s.setTimesteps(5);
    expect(s.timesteps).toEqual([801, 601, 401, 201, 1]);
  });

  it('PNDM with PRK warm-up, steps_offset=1, 10 steps (test_scheduler_pndm.py)', () => {
    const s = createScheduler('pndm', { steps_offset: 1 });
    s.setTimesteps(10);
    expect(s.timesteps).toEqual([901, 851, 851, 801, 801, 751, 751, 701, 701, 651, 651, 601, 601, 501, 401, 301, 201, 101, 1]);
  });

  it('PNDM with skip_prk_steps repeats the second-to-last PLMS timestep (SD 1.x configs)', () => {
    const s = createScheduler('PNDMScheduler', { steps_offset: 1, skip_prk_steps: true });
    s.setTimesteps(10);
    expect(s.timesteps).toEqual([901, 801, 801, 701, 601, 501, 401, 301, 201, 101, 1]);
  });

  it('trailing: round(arange(1000, 0, -1000/n)) - 1', () => {
    const s = createScheduler('ddim', { timestep_spacing: 'trailing' });
    s.setTimesteps(10);
    expect(s.timesteps).toEqual([999, 899, 799, 699, 599, 499, 399, 299, 199, 99]);
    s.setTimesteps(3); // 1000, 666.67, 333.33 -> 1000, 667, 333
    expect(s.timesteps).toEqual([999, 666, 332]);
  });

  it('linspace: round(linspace(0, 999, n)) reversed', () => {
    const s = createScheduler('ddim', { timestep_spacing: 'linspace' });
    s.setTimesteps(10);
    expect(s.timesteps).toEqual([999, 888, 777, 666, 555, 444, 333, 222, 111, 0]);
    s.setTimesteps(4); // 0, 333, 666, 999
    expect(s.timesteps).toEqual([999, 666, 333, 0]);
  });

  it('Euler keeps fractional linspace timesteps (float32), e.g. 1100 train steps', () => {
    const s = createScheduler('euler', { num_train_timesteps: 1100 });
    s.setTimesteps(10); // linspace(0, 1099, 10): step 122.111...
    expect(s.timesteps[0]).toBe(1099);
    expect(s.timesteps[1]).toBeCloseTo(976.8889, 4);
    expect(s.timesteps[9]).toBe(0);
  });

  it('DPM-Solver drops the last of n+1 linspace points; 1000 steps give 1000 entries (test_duplicated_timesteps)', () => {
    const s = createScheduler('dpmpp_2m', {});
    s.setTimesteps(10);
    expect(s.timesteps).toEqual([999, 899, 799, 699, 599, 500, 400, 300, 200, 100]);
    s.setTimesteps(1000);
    expect(s.timesteps.length).toBe(1000);
    expect(s.numInferenceSteps).toBe(1000);
  });

  it('Heun repeats every timestep but the first: 2n - 1 model evaluations', () => {
    const s = new HeunDiscreteScheduler({ beta_schedule: 'scaled_linear' });
    s.setTimesteps(10);
    expect(s.timesteps.length).toBe(19);
    expect(s.timesteps[1]).toBe(s.timesteps[2]);
    expect(s.sigmas!.length).toBe(20);
    expect(s.order).toBe(2);
  });

  it('PNDM run length counts every Runge-Kutta evaluation', () => {
    const s = new PNDMScheduler();
    s.setTimesteps(50);
    expect(s.prkTimesteps.length).toBe(12);
    expect(s.timesteps.length).toBe(12 + 47);
  });
});

describe('training schedule (SD 1.x: scaled_linear 0.00085..0.012, 1000 steps)', () => {
  const sd = { beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear', num_train_timesteps: 1000 };

  it('alphas_cumprod endpoints', () => {
    const s = createScheduler('ddim', sd);
    expect(Math.abs(s.alphasCumprod[0] - 0.99914998)).toBeLessThan(1e-6);
    expect(Math.abs(s.alphasCumprod[999] - 0.00466009)).toBeLessThan(1e-6);
  });

  it("Euler's sigma_max and init_noise_sigma", () => {
    const s = createScheduler('euler', sd);
    s.setTimesteps(30);
    expect(Math.abs(s.sigmas![0] - 14.614653)).toBeLessThan(1e-5);
    expect(Math.abs(s.initNoiseSigma - 14.614653)).toBeLessThan(1e-5);
    expect(s.sigmas![30]).toBe(0);
    const leading = createScheduler('euler', { ...sd, timestep_spacing: 'leading', steps_offset: 1 });
    leading.setTimesteps(30);
    expect(leading.initNoiseSigma).toBeCloseTo(Math.sqrt(leading.sigmas![0] ** 2 + 1), 5);
  });

  it('DDIM variances (test_scheduler_ddim.py test_variance)', () => {
    const s = new DDIMScheduler({ num_train_timesteps: 1000, beta_start: 0.0001, beta_end: 0.02, beta_schedule: 'linear', clip_sample: true });
    expect(Math.abs(s.variance(0, 0))).toBeLessThan(1e-5);
    expect(Math.abs(s.variance(420, 400) - 0.14771)).toBeLessThan(1e-5);
    expect(Math.abs(s.variance(980, 960) - 0.3246)).toBeLessThan(1e-5);
    expect(Math.abs(s.variance(487, 486) - 0.00979)).toBeLessThan(1e-5);
    expect(Math.abs(s.variance(999, 998) - 0.02)).toBeLessThan(1e-5);
  });

  it('DDPM variances (test_scheduler_ddpm.py test_variance)', () => {
    const s = new DDPMScheduler({ variance_type: 'fixed_small', clip_sample: true });
    expect(Math.abs(s.variance(0))).toBeLessThan(1e-5);
    expect(Math.abs(s.variance(487) - 0.00979)).toBeLessThan(1e-5);
    expect(Math.abs(s.variance(999) - 0.02)).toBeLessThan(1e-5);
  });
});
