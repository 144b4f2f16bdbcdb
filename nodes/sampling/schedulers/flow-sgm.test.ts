// ComfyUI's sgm_uniform and simple on a flow model (comfy/samplers.py normal_scheduler with sgm=True over
// ModelSamplingDiscreteFlow): timesteps linspace(t(sigma_max), t(sigma_min), steps + 1) without the last, each
// sigma = shift·s / (1 + (shift - 1)·s) of s = t / 1000, then 0. "normal" is diffusers' FlowMatchEuler schedule.
import { describe, expect, it } from 'vitest';
import { createScheduler, FlowMatchScheduler } from './index';

const SD3 = { _class_name: 'FlowMatchEulerDiscreteScheduler', num_train_timesteps: 1000, shift: 3.0 };
const shift3 = (s: number) => (3 * s) / (1 + 2 * s);

describe('flow-matching sgm_uniform', () => {
  it('spaces steps + 1 timesteps from 1000 to 1000·sigma_min and drops the last', () => {
    const s = createScheduler('FlowMatchEulerDiscreteScheduler', SD3) as FlowMatchScheduler;
    s.useSpacing('sgm_uniform');
    s.setTimesteps(4);
    // sigma_min = shift3(0.001) = 0.0029940..; end timestep 2.994012; spacing (1000 - 2.994012) / 4 = 249.2515
    const end = 1000 * shift3(0.001);
    const ts = [0, 1, 2, 3].map((i) => 1000 + ((end - 1000) * i) / 4);
    expect(ts[1]).toBeCloseTo(750.7485, 3);
    expect(s.sigmas.length).toBe(5);
    s.sigmas.slice(0, 4).forEach((v, i) => expect(v).toBeCloseTo(shift3(ts[i] / 1000), 6));
    expect(s.sigmas[1]).toBeCloseTo(0.900359, 5);
    expect(s.sigmas[4]).toBe(0);
  });

  it('simple takes every (1000/steps)-th training sigma from the top', () => {
    const s = createScheduler('FlowMatchEulerDiscreteScheduler', SD3) as FlowMatchScheduler;
    s.useSpacing('simple');
    s.setTimesteps(4);
    // t = 1000, 750, 500, 250: the table's sigmas are shift3(t / 1000)
    expect(s.sigmas.slice(0, 4).map((v) => Number(v.toFixed(6)))).toEqual([1, 0.9, 0.75, 0.5]);
    expect(s.sigmas[4]).toBe(0);
  });

  it('differs from the normal schedule, whose last sigma is sigma_min', () => {
    const normal = createScheduler('FlowMatchEulerDiscreteScheduler', SD3);
    normal.setTimesteps(4);
    expect(normal.sigmas![3]).toBeCloseTo(shift3(shift3(0.001)), 6);
    const sgm = createScheduler('FlowMatchEulerDiscreteScheduler', SD3) as FlowMatchScheduler;
    sgm.useSpacing('sgm_uniform');
    sgm.setTimesteps(4);
    expect(sgm.sigmas[3]).toBeGreaterThan(normal.sigmas![3] + 0.1);
  });
});
