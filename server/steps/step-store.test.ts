import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StepLatents } from '../../nodes/engine/step-latents';
import { SD15_LATENT_RGB } from '../../nodes/models/latent-rgb';
import { float16ToFloat32, float32ToFloat16 } from '../../nodes/runtime/float16';
import { tempDir } from '../testing/harness';
import { StepStore } from './step-store';

const dir = tempDir('step-store');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function latents(nodeId: string, step: number, shift = 0): StepLatents {
  const n = 4 * 3 * 2;
  return {
    runId: 'run1', nodeId, step, total: 5, sigma: 14.6 - step, timestep: 999 - step * 10,
    stats: [0, 1, 2, 3].map((c) => ({ mean: c + step, std: 1, min: -1, max: 1 })),
    dims: [4, 3, 2],
    x0: Float32Array.from({ length: n }, (_, i) => step + i / 7 + shift),
    latent: Float32Array.from({ length: n }, (_, i) => -step - i / 3),
    latentRgb: SD15_LATENT_RGB,
  };
}
const half = (a: Float32Array) => [...float16ToFloat32(float32ToFloat16(a))];

describe('StepStore', () => {
  const store = new StepStore(dir);

  it('keeps each step with its stats and both latents as float16, newest copy first, per node', async () => {
    await store.append('run1', [latents('k', 0), latents('k', 1), latents('other', 0)]);
    await store.append('run1', [latents('k', 2), latents('k', 1, 0.5)]); // step 1 again (a retried batch)
    const list = await store.list('run1', 'k');
    expect(list.map((s) => s.step)).toEqual([0, 1, 2]);
    expect(list[2]).toMatchObject({ nodeId: 'k', total: 5, sigma: 12.6, timestep: 979, dims: [4, 3, 2], hasLatent: true, latentRgb: SD15_LATENT_RGB });
    expect(list[2].stats.map((s) => s.mean)).toEqual([2, 3, 4, 5]);
    expect((await store.list('run1', 'other')).map((s) => s.step)).toEqual([0]);

    const rec = await store.read('run1', list[1].offset);
    expect(rec!.info.step).toBe(1);
    expect([...rec!.x0]).toEqual(half(latents('k', 1, 0.5).x0)); // the newer copy
    expect([...rec!.latent!]).toEqual(half(latents('k', 1).latent!));
    expect(Math.max(...[...rec!.x0].map((v, i) => Math.abs(v - latents('k', 1, 0.5).x0[i])))).toBeLessThan(2e-3);
  });

  it('reads only where a record starts, and never outside DATA_DIR/steps', async () => {
    const [first] = await store.list('run1', 'k');
    expect(await store.read('run1', first.offset + 1)).toBeUndefined();
    expect(await store.read('run1', 10 ** 9)).toBeUndefined();
    expect(await store.read('run1', -1)).toBeUndefined();
    expect(await store.read('../run1', first.offset)).toBeUndefined();
    expect(await store.read('nope', 0)).toBeUndefined();
    expect(await store.list('../../etc', 'k')).toEqual([]);
  });

  it('ignores a record still being written at the end of the file', async () => {
    await store.append('run2', [latents('k', 0)]);
    const file = path.join(dir, 'steps', 'run2.steps');
    const whole = fs.readFileSync(file);
    fs.appendFileSync(file, whole.subarray(0, whole.length - 5));
    expect((await store.list('run2', 'k')).map((s) => s.offset)).toEqual([0]);
  });

  it('lists and removes runs', async () => {
    expect((await store.runIds()).sort()).toEqual(['run1', 'run2']);
    await store.remove('run2');
    expect(await store.runIds()).toEqual(['run1']);
    expect(await store.list('run2', 'k')).toEqual([]);
  });
});
