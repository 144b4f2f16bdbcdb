// createScheduler names and config validation, ComfyUI schedules, img2img start and noise use.
import { describe, expect, it } from 'vitest';
import { createNoise } from '../noise';
import { scheduleSigmas } from '../sigmas';
import {
  ALL_SCHEDULER_NAMES, createScheduler, SAMPLER_NAMES, SCHEDULE_NAMES, SchedulerConfigError, SchedulerStateError,
  startForStrength, UnknownSchedulerError,
} from './index';

const sdConfig = {
  _class_name: 'PNDMScheduler',
  _diffusers_version: '0.6.0',
  beta_end: 0.012,
  beta_schedule: 'scaled_linear',
  beta_start: 0.00085,
  num_train_timesteps: 1000,
  set_alpha_to_one: false,
  skip_prk_steps: true,
  steps_offset: 1,
  trained_betas: null,
  clip_sample: false,
};

describe('createScheduler names', () => {
  it('maps every ComfyUI sampler name to its diffusers class', () => {
    const classes = Object.fromEntries(SAMPLER_NAMES.map((n) => [n, createScheduler(n, sdConfig).className]));
    expect(classes).toEqual({
      euler: 'EulerDiscreteScheduler',
      euler_ancestral: 'EulerAncestralDiscreteScheduler',
      heun: 'HeunDiscreteScheduler',
      lms: 'LMSDiscreteScheduler',
      ddim: 'DDIMScheduler',
      dpmpp_2m: 'DPMSolverMultistepScheduler',
      dpmpp_2m_sde: 'DPMSolverMultistepScheduler',
      uni_pc: 'UniPCMultistepScheduler',
      lcm: 'LCMScheduler',
      ddpm: 'DDPMScheduler',
      pndm: 'PNDMScheduler',
    });
    expect(createScheduler('dpmpp_2m_sde').config.algorithm_type).toBe('sde-dpmsolver++');
    expect(createScheduler('dpmpp_2m', { algorithm_type: 'sde-dpmsolver++' }).config.algorithm_type).toBe('dpmsolver++');
    expect(createScheduler('eulerdiscretescheduler').className).toBe('EulerDiscreteScheduler');
  });

  it('lists every valid name when the name is unknown', () => {
    let error: unknown;
    try {
      createScheduler('dpmpp_3m');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnknownSchedulerError);
    const message = (error as Error).message;
    for (const n of ALL_SCHEDULER_NAMES) expect(message).toContain(n);
    expect(message).toContain('euler_ancestral');
    expect(message).toContain('UniPCMultistepScheduler');
  });

  it('accepts a real SD scheduler_config.json for every sampler and reports the keys it ignored', () => {
    const euler = createScheduler('euler', sdConfig);
    expect(euler.ignoredConfigKeys).toEqual(expect.arrayContaining(['_class_name', '_diffusers_version', 'skip_prk_steps', 'set_alpha_to_one', 'clip_sample']));
    expect(euler.config.beta_schedule).toBe('scaled_linear');
    expect(euler.config.timestep_spacing).toBe('linspace'); // Euler's own default fills in
    const pndm = createScheduler('pndm', sdConfig);
    expect(pndm.ignoredConfigKeys).toEqual(['_class_name', '_diffusers_version', 'clip_sample']);
  });
});

describe('config validation', () => {
  const expectConfigError = (fn: () => unknown, key: string, ...mentions: string[]) => {
    let error: unknown;
    try {
      fn();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SchedulerConfigError);
    expect((error as SchedulerConfigError).key).toBe(key);
    for (const m of mentions) expect((error as Error).message).toContain(m);
  };

  it('names the key and the valid values', () => {
    expectConfigError(() => createScheduler('euler', { beta_schedule: 'cosine' }), 'beta_schedule', '"linear"', '"scaled_linear"', '"squaredcos_cap_v2"');
    expectConfigError(() => createScheduler('ddim', { prediction_type: 'flow' }), 'prediction_type', '"epsilon"', '"sample"', '"v_prediction"');
    expectConfigError(() => createScheduler('ddim', { timestep_spacing: 'uniform' }), 'timestep_spacing', '"linspace"', '"leading"', '"trailing"');
    expectConfigError(() => createScheduler('DPMSolverMultistepScheduler', { solver_order: 4 }), 'solver_order', '<= 3');
    expectConfigError(() => createScheduler('uni_pc', { final_sigmas_type: 'one' }), 'final_sigmas_type', '"zero"', '"sigma_min"');
  });

  it('rejects out-of-range numbers', () => {
    expectConfigError(() => createScheduler('euler', { beta_start: 0.02, beta_end: 0.001 }), 'beta_end', 'beta_start');
    expectConfigError(() => createScheduler('euler', { num_train_timesteps: -5 }), 'num_train_timesteps', 'integer');
    expectConfigError(() => createScheduler('ddim', { steps_offset: -1 }), 'steps_offset', '>= 0');
    expectConfigError(() => createScheduler('ddim', { clip_sample: 'yes' }), 'clip_sample', 'true or false');
    expectConfigError(() => createScheduler('ddim', { trained_betas: [0.1, 0.2] }), 'trained_betas', 'num_train_timesteps');
    expectConfigError(() => createScheduler('euler', { use_karras_sigmas: true, use_exponential_sigmas: true }), 'use_exponential_sigmas');
  });

  it('rejects bad step counts and strengths', () => {
    expectConfigError(() => createScheduler('euler').setTimesteps(0), 'num_inference_steps', 'between 1 and 1000');
    expectConfigError(() => createScheduler('ddim').setTimesteps(1001), 'num_inference_steps');
    expectConfigError(() => createScheduler('lcm').setTimesteps(51), 'num_inference_steps', 'original_inference_steps');
    expect(() => startForStrength(createScheduler('euler'), 20, 1.5)).toThrow(SchedulerStateError);
  });

  it('refuses to step before setTimesteps and noisy steps without a noise source', () => {
    const ddim = createScheduler('ddim');
    expect(() => ddim.step(new Float32Array(4), 999, new Float32Array(4))).toThrow(/setTimesteps/);
    const ancestral = createScheduler('euler_ancestral');
    ancestral.setTimesteps(4);
    expect(ancestral.usesNoise).toBe(true);
    expect(() => ancestral.step(new Float32Array(4), ancestral.timesteps[0], new Float32Array(4))).toThrow(/opts\.noise/);
  });
});

describe('ComfyUI sigma schedules', () => {
  const sd = { beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear' };

  it('karras spans the training sigmas with rho = 7 and ends in 0', () => {
    const s = createScheduler('euler', sd, { schedule: 'karras' });
    s.setTimesteps(10);
    const sig = s.sigmas!;
    expect(sig.length).toBe(11);
    expect(sig[0]).toBeCloseTo(14.614653, 4);
    expect(sig[9]).toBeCloseTo(0.0291675, 5); // sigma at t = 0: sqrt(0.00085 / 0.99915)
    expect(sig[10]).toBe(0);
    const mid = (14.614653 ** (1 / 7) + (4 / 9) * (0.0291675 ** (1 / 7) - 14.614653 ** (1 / 7))) ** 7;
    expect(sig[4]).toBeCloseTo(mid, 3);
    expect(s.timesteps[0]).toBeCloseTo(999, 3);
  });

  it('exponential is geometric, simple takes every (1000/n)th training sigma', () => {
    const table = createScheduler('euler', sd).trainingSigmas!;
    const exp = scheduleSigmas('exponential', table, 5);
    const ratio = exp[1] / exp[0];
    for (let i = 1; i < 4; i++) expect(exp[i + 1] / exp[i]).toBeCloseTo(ratio, 6);
    const simple = scheduleSigmas('simple', table, 4);
    expect(simple).toEqual([table[999], table[749], table[499], table[249], 0]);
  });

  it('normal and sgm_uniform walk timesteps from 999 to 0 (sgm_uniform drops the last point)', () => {
    const table = createScheduler('euler', sd).trainingSigmas!;
    const normal = scheduleSigmas('normal', table, 4);
    expect(normal[0]).toBeCloseTo(table[999], 6);
    expect(normal[1]).toBeCloseTo(table[666], 6);
    expect(normal[3]).toBeCloseTo(table[0], 6);
    const sgm = scheduleSigmas('sgm_uniform', table, 4);
    expect(sgm[1]).toBeCloseTo(Math.exp(0.75 * Math.log(table[749]) + 0.25 * Math.log(table[750])), 6);
    expect(sgm.length).toBe(5);
  });

  it('applies to sigma-based samplers and refuses non-normal schedules on timestep-based ones', () => {
    for (const name of ['euler', 'euler_ancestral', 'heun', 'lms', 'dpmpp_2m', 'dpmpp_2m_sde', 'uni_pc']) {
      const s = createScheduler(name, sd, { schedule: 'karras' });
      s.setTimesteps(8);
      expect(s.sigmas![0]).toBeCloseTo(14.614653, 4);
    }
    expect(() => createScheduler('ddim', sd, { schedule: 'karras' })).toThrow(SchedulerConfigError);
    expect(createScheduler('ddim', sd, { schedule: 'normal' }).className).toBe('DDIMScheduler');
    expect(() => createScheduler('euler', sd, { schedule: 'beta' as never })).toThrow(/normal, karras, exponential, sgm_uniform, simple/);
    expect(SCHEDULE_NAMES).toEqual(['normal', 'karras', 'exponential', 'sgm_uniform', 'simple']);
  });
});

describe('img2img / refiner start', () => {
  it("follows diffusers' get_timesteps and sets the begin index", () => {
    const s = createScheduler('euler', { beta_schedule: 'scaled_linear', beta_start: 0.00085, beta_end: 0.012 });
    const start = startForStrength(s, 10, 0.3);
    expect(start.startIndex).toBe(7);
    expect(start.timesteps).toEqual(s.timesteps.slice(7));
    expect(start.noiseTimestep).toBe(s.timesteps[7]);
    // addNoise at the begin index uses sigma[7]; the first step continues from there.
    const x0 = new Float32Array([1, -1]);
    const noisy = s.addNoise(x0, new Float32Array([1, 1]), start.noiseTimestep!);
    expect(noisy[0]).toBeCloseTo(1 + s.sigmas![7], 5);
    s.scaleModelInput(noisy, start.timesteps[0]);
    expect(s.stepIndex).toBe(7);
  });

  it('multiplies by the order for Heun and is empty for strength 0', () => {
    const heun = createScheduler('heun');
    expect(startForStrength(heun, 10, 0.5).startIndex).toBe(10);
    const none = startForStrength(createScheduler('ddim'), 10, 0);
    expect(none.timesteps).toEqual([]);
    expect(none.noiseTimestep).toBeNull();
  });

  it('a full run with the stepflow noise is reproducible and DPM++ 2M SDE stays finite', () => {
    const run = () => {
      const s = createScheduler('dpmpp_2m_sde', { beta_schedule: 'scaled_linear', beta_start: 0.00085, beta_end: 0.012 });
      s.setTimesteps(12);
      const noise = createNoise(5);
      let x = noise.randn(64);
      for (const t of s.timesteps) x = s.step(x.map((v) => v * 0.1), t, x, { noise }).prevSample;
      return x;
    };
    const a = run();
    expect(a).toEqual(run());
    expect(a.every(Number.isFinite)).toBe(true);
  });
});

describe('training tables built once per config', () => {
  type Tables = { acp: Float32Array; trainingSigmas: Float32Array };
  const tables = (s: unknown) => s as Tables;

  it('shares the tables of equal configs and keeps configs apart', () => {
    const a = tables(createScheduler('euler', sdConfig));
    const b = tables(createScheduler('euler', { ...sdConfig }));
    const other = tables(createScheduler('euler', { ...sdConfig, beta_end: 0.02 }));
    expect(b.acp).toBe(a.acp);
    expect(b.trainingSigmas).toBe(a.trainingSigmas);
    expect(other.acp).not.toBe(a.acp);
    // beta_end moves the last alpha_bar: 0.012 vs 0.02 on the scaled_linear schedule.
    expect(other.acp[999]).toBeLessThan(a.acp[999]);
  });

  it('gives a scheduler from shared tables the same sigmas as the first one', () => {
    const first = createScheduler('euler', sdConfig);
    first.setTimesteps(20);
    const again = createScheduler('euler', sdConfig);
    again.setTimesteps(20);
    expect(again.sigmas).toEqual(first.sigmas);
    // SD 1.5's first sigma at 20 "linspace" steps (diffusers' EulerDiscreteScheduler: 14.6146).
    expect(first.sigmas![0]).toBeCloseTo(14.6146, 3);
  });
});
