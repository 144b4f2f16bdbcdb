// Flow-matching schedulers against diffusers 0.3x (scheduling_flow_match_{euler,heun}_discrete.py) on the
// scheduler_config.json files the SD3, SD3.5 and Flux repositories ship.
//
// Expected numbers: worked by hand where the formulas allow it (noted next to them); the long lists were
// printed by a separate numpy script that follows diffusers' set_timesteps line by line (float32 table at
// construction, float64 np.linspace and shift, float32 cast, timesteps = sigmas * 1000 in float32), not by
// this implementation. diffusers' own tests publish no flow-matching numbers. The script's core (numpy 2.4):
//   table = (np.linspace(1, T, T, dtype=float32)[::-1] / float32(T)); table = shift*table/(1 + (shift-1)*table) (float32)
//   t = np.linspace(table[0]*T, table[-1]*T, n); s = t/T
//   s = exp(mu)/(exp(mu) + (1/s - 1)) if dynamic else shift*s/(1 + (shift-1)*s); s = s.astype(float32); ts = s*float32(T)
import { describe, expect, it } from 'vitest';
import { createScheduler, flowSchedulerFor, resolutionShift, SchedulerConfigError, SchedulerStateError } from './index';
import { FlowMatchEulerDiscreteScheduler } from './flowMatchEuler';
import { FlowMatchHeunDiscreteScheduler } from './flowMatchHeun';

/**
 * stabilityai/stable-diffusion-3-medium-diffusers and stabilityai/stable-diffusion-3.5-large (and -medium)
 * scheduler/scheduler_config.json: {"_class_name": "FlowMatchEulerDiscreteScheduler", "num_train_timesteps": 1000,
 * "shift": 3.0} (not read from the model repos here); shift 3.0 for SD3 is also what SD3 training/inference code in public repositories passes
 * (e.g. FlowMatchEulerDiscreteScheduler(shift=3.0) as an SD3 Euler schedule).
 */
const SD3 = { _class_name: 'FlowMatchEulerDiscreteScheduler', _diffusers_version: '0.29.0.dev0', num_train_timesteps: 1000, shift: 3.0 };
const SD35 = { _class_name: 'FlowMatchEulerDiscreteScheduler', _diffusers_version: '0.31.0.dev0', num_train_timesteps: 1000, shift: 3.0 };
/**
 * black-forest-labs/FLUX.1-dev scheduler/scheduler_config.json: dynamic shifting between mu 0.5 at 256 and 1.15 at
 * 4096 image tokens; "shift" 3.0 is present but unused when shifting is dynamic. The Hugging Face model repos were not
 * reachable from here: these keys and values are corroborated by taproot 0.3.8's FluxScheduler default config
 * (flux/pretrained/scheduler.py) and by the defaults of diffusers' FlowMatchEulerDiscreteScheduler and calculate_shift.
 */
const FLUX_DEV = {
  _class_name: 'FlowMatchEulerDiscreteScheduler', _diffusers_version: '0.30.0.dev0', base_image_seq_len: 256, base_shift: 0.5,
  max_image_seq_len: 4096, max_shift: 1.15, num_train_timesteps: 1000, shift: 3.0, use_dynamic_shifting: true,
};
/** black-forest-labs/FLUX.1-schnell scheduler/scheduler_config.json: no shift at all (shift 1.0, no dynamic shifting; not verified against the file here). */
const FLUX_SCHNELL = { ...FLUX_DEV, shift: 1.0, use_dynamic_shifting: false };

// numpy, SD3 config, 28 steps (the SD3 pipeline's default).
const SD3_28 = [1.0, 0.9873806238174438, 0.9741077423095703, 0.9601293206214905, 0.9453874826431274, 0.9298179149627686, 0.9133489727973938,
  0.895900309085846, 0.8773819208145142, 0.857692301273346, 0.8367166519165039, 0.8143247961997986, 0.7903682589530945, 0.764677107334137,
  0.7370558381080627, 0.7072784900665283, 0.6750823259353638, 0.6401602029800415, 0.602150559425354, 0.5606250166893005, 0.5150721073150635,
  0.4648760259151459, 0.40928882360458374, 0.34739264845848083, 0.2780487835407257, 0.19982698559761047, 0.1109057292342186, 0.008928571827709675];
// numpy, FLUX.1-dev config, 1024x1024 (128x128 latent, 2x2 patches: 4096 tokens, mu = 1.15), 28 steps.
const FLUX_DEV_1024_28 = [1.0, 0.9879805445671082, 0.9753208756446838, 0.9619684815406799, 0.9478649497032166, 0.9329449534416199,
  0.9171355366706848, 0.9003547430038452, 0.8825101852416992, 0.8634974360466003, 0.8431978225708008, 0.8214762210845947, 0.7981777191162109,
  0.7731241583824158, 0.7461094260215759, 0.7168939113616943, 0.6851972341537476, 0.6506893634796143, 0.6129788756370544, 0.5715982913970947,
  0.5259844064712524, 0.47545260190963745, 0.41916218400001526, 0.35606926679611206, 0.28486156463623047, 0.20386584103107452,
  0.11091504245996475, 0.0031513916328549385];

describe('FlowMatchEulerDiscreteScheduler schedules', () => {
  it('SD3 / SD3.5 (shift 3): the last sigma is 1/112 by hand, the 28-step list equals diffusers', () => {
    // sigma_min of the shifted table: 3·0.001 / (1 + 2·0.001) = 0.003/1.002; the run's linspace ends there and is shifted
    // again: 3·(0.003/1.002) / (1 + 2·0.003/1.002) = 0.009/1.008 = 1/112.
    const two = createScheduler('FlowMatchEulerDiscreteScheduler', SD3);
    two.setTimesteps(2);
    expect(two.sigmas).toEqual([1, Math.fround(1 / 112), 0]);
    expect(two.timesteps).toEqual([1000, Math.fround(Math.fround(1 / 112) * 1000)]);
    for (const config of [SD3, SD35]) {
      const s = createScheduler('euler', config);
      expect(s.className).toBe('EulerDiscreteScheduler'); // the alias is the epsilon sampler; flowSchedulerFor maps it
      const flow = createScheduler(flowSchedulerFor('euler'), config);
      flow.setTimesteps(28);
      expect(flow.sigmas).toEqual([...SD3_28.map(Math.fround), 0]);
      expect(flow.timesteps).toEqual(SD3_28.map((x) => Math.fround(Math.fround(x) * 1000)));
      expect(flow.timesteps[9]).toBe(857.6923217773438); // numpy's float32 timestep, printed
    }
  });

  it('FLUX.1-schnell (shift 1): sigmas are linspace(1, 0.001, n), 4 steps are 1000, 667, 334, 1 by hand', () => {
    const s = createScheduler('FlowMatchEulerDiscreteScheduler', FLUX_SCHNELL);
    s.setTimesteps(4);
    expect(s.timesteps).toEqual([1000, 667, 334, 1]);
    expect(s.sigmas).toEqual([1, 0.667, 0.334, 0.001, 0].map(Math.fround));
  });

  it('FLUX.1-dev (dynamic shifting): mu from the image token count, exponential time shift', () => {
    // mu = 0.5 + (seq - 256)·0.65/3840: 1024 tokens (512x512) -> 0.63, 4096 tokens (1024x1024) -> 1.15.
    expect(resolutionShift(1024, 256, 4096, 0.5, 1.15)).toBeCloseTo(0.63, 12);
    expect(resolutionShift(4096, 256, 4096, 0.5, 1.15)).toBeCloseTo(1.15, 12);
    const dev = new FlowMatchEulerDiscreteScheduler(FLUX_DEV);
    expect(() => dev.setTimesteps(4)).toThrow(SchedulerStateError);
    dev.useImageSeqLen(1024);
    dev.setTimesteps(4);
    // By hand: linspace(1000, 1, 4)/1000 = 1, 0.667, 0.334, 0.001; e^0.63 = 1.8776; 0.667 -> 1.8776/(1.8776 + 1/0.667 - 1) = 0.78995.
    expect(dev.sigmas[1]).toBeCloseTo(0.78995, 5);
    expect(dev.sigmas).toEqual([1.0, 0.789953887462616, 0.48496735095977783, 0.0018759643426164985, 0]); // numpy
    dev.useImageSeqLen(4096);
    dev.setTimesteps(28);
    expect(dev.sigmas).toEqual([...FLUX_DEV_1024_28, 0]);
    expect(dev.timesteps[27]).toBe(3.1513917446136475); // numpy's float32 timestep
  });

  it('rejects what it does not implement with the key named', () => {
    expect(() => createScheduler('FlowMatchEulerDiscreteScheduler', { ...SD3, invert_sigmas: true })).toThrow(/invert_sigmas/);
    expect(() => createScheduler('FlowMatchEulerDiscreteScheduler', { ...SD3, use_karras_sigmas: true })).toThrow(SchedulerConfigError);
    expect(() => createScheduler('FlowMatchEulerDiscreteScheduler', { ...SD3, shift: 0 })).toThrow(/shift/);
    expect(() => flowSchedulerFor('dpmpp_2m')).toThrow(/euler or heun/);
    expect(() => flowSchedulerFor('euler', 'karras')).toThrow(/schedule/);
    expect(flowSchedulerFor('heun')).toBe('FlowMatchHeunDiscreteScheduler');
  });
});

/** Runs a full loop with a velocity field of (sample, sigma of this evaluation). */
function run(s: FlowMatchEulerDiscreteScheduler | FlowMatchHeunDiscreteScheduler, x: Float32Array, v: (x: Float32Array, sigma: number) => Float32Array): Float32Array {
  s.timesteps.forEach((t, k) => {
    x = s.step(v(x, s.sigmas[k]), t, x).prevSample;
  });
  return x;
}

describe('flow-matching steps', () => {
  it('Euler: x += (sigma_next - sigma)·v; the straight-line field of one target lands on it exactly', () => {
    const s = new FlowMatchEulerDiscreteScheduler(SD3);
    s.setTimesteps(3);
    const x0 = Float32Array.of(0.5, -0.25);
    // x_t = (1 - sigma)·x0 + sigma·eps has v = eps - x0 = (x - x0)/sigma: each Euler step stays on the line.
    const out = run(s, Float32Array.of(1.5, 0.75), (x, sigma) => x.map((v, i) => (v - x0[i]) / sigma));
    expect(out[0]).toBeCloseTo(0.5, 6);
    expect(out[1]).toBeCloseTo(-0.25, 6);
    // The first step by hand: sigmas 1 -> s1, x = 1.5 + (s1 - 1)·(1.5 - 0.5).
    const one = new FlowMatchEulerDiscreteScheduler(SD3);
    one.setTimesteps(3);
    const r = one.step(Float32Array.of(1), one.timesteps[0], Float32Array.of(1.5));
    expect(r.prevSample[0]).toBeCloseTo(1.5 + (one.sigmas[1] - 1), 6);
    expect(r.predOriginalSample![0]).toBe(0.5); // x - sigma·v = 1.5 - 1·1
  });

  it('Heun evaluates twice per step and integrates a field linear in sigma (dx/dsigma = 2·sigma) nearly exactly; Euler does not', () => {
    const heun = new FlowMatchHeunDiscreteScheduler(SD3);
    heun.setTimesteps(4);
    // sigmas 1, s1, s1, s2, s2, s3, s3, 0; timesteps repeat the same way.
    expect(heun.timesteps).toHaveLength(7);
    expect(heun.sigmas).toEqual([1, 0.857692301273346, 0.857692301273346, 0.602150559425354, 0.602150559425354, 0.008928571827709675, 0.008928571827709675, 0]);
    expect(heun.order).toBe(2);
    const field = (x: Float32Array, sigma: number) => x.map(() => Math.fround(2 * sigma));
    const h = run(heun, Float32Array.of(0), field)[0];
    const euler = new FlowMatchEulerDiscreteScheduler(SD3);
    euler.setTimesteps(4);
    const e = run(euler, Float32Array.of(0), field)[0];
    // Exact: x(0) = x(1) - ∫0^1 2σ dσ = -1. Trapezoids are exact on a linear field; only the final Euler step
    // (0.00893 -> 0) errs. The float32 results below were printed by the separate numpy script.
    expect(h).toBe(-1.0000778436660767);
    expect(e).toBe(-1.4375449419021606);
  });

  it('addNoise is diffusers scale_noise: sigma·noise + (1 - sigma)·sample', () => {
    const s = createScheduler('FlowMatchEulerDiscreteScheduler', FLUX_SCHNELL);
    s.setTimesteps(4);
    const out = s.addNoise(Float32Array.of(1, 2), Float32Array.of(-1, 0.5), s.timesteps[2]);
    expect(out[0]).toBeCloseTo(0.334 * -1 + 0.666 * 1, 6);
    expect(out[1]).toBeCloseTo(0.334 * 0.5 + 0.666 * 2, 6);
  });
});
