import { describe, expect, it } from 'vitest';
import { parseNvidiaSmi, startGpuMemoryProbe } from './gpu-memory';

describe('GPU memory from nvidia-smi', () => {
  it('reads MiB per device index into bytes', () => {
    const used = parseNvidiaSmi('0, 1523\n1, 24000\n\n');
    expect([...used]).toEqual([[0, 1523 * 1024 * 1024], [1, 24000 * 1024 * 1024]]);
    expect(parseNvidiaSmi('NVIDIA-SMI has failed because it couldn\'t communicate with the NVIDIA driver.').size).toBe(0);
  });

  it('reports the device it was given, and nothing once nvidia-smi fails (a CPU machine)', async () => {
    const probe = startGpuMemoryProbe(1, 60_000, async () => '0, 100\n1, 2048\n');
    await new Promise((r) => setTimeout(r, 10));
    expect(probe.bytes()).toBe(2048 * 1024 * 1024);
    probe.stop();
    const missing = startGpuMemoryProbe(0, 60_000, async () => { throw new Error('spawn nvidia-smi ENOENT'); });
    await new Promise((r) => setTimeout(r, 10));
    expect(missing.bytes()).toBeUndefined();
    missing.stop();
  });
});
