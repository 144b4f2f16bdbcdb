// Latent Upscale through the executor (no model needed: an empty latent in, its resized self out), its size rules,
// and ComfyUI's Upscale Latent (By) importing as it.
import { describe, expect, it } from 'vitest';
import { Executor } from '../../engine/executor';
import { importComfyWorkflow } from '../../interop/comfyui';
import type { OnnxRuntime } from '../../runtime/onnx';
import { ModelStore } from '../../runtime/models';
import { InputStore } from '../../runtime/inputs';

const ex = () => new Executor({ runtime: { ortMs: 0 } as OnnxRuntime, models: new ModelStore('/nonexistent'), inputs: new InputStore([]) });

function graph(params: Record<string, unknown>, size = { width: 256, height: 128 }) {
  return {
    version: 1 as const,
    nodes: [
      { id: 'latent', type: 'empty_latent', typeVersion: 1, params: { ...size, batch_size: 2 } },
      { id: 'up', type: 'latent_upscale', typeVersion: 1, params },
    ],
    edges: [{ from: { node: 'latent', output: 'latent' }, to: { node: 'up', input: 'latent' } }],
  };
}

const dimsOf = async (params: Record<string, unknown>) => {
  const r = await ex().run(graph(params), { runId: 'r', targets: ['up'] });
  if (r.status !== 'succeeded') throw new Error(r.error?.message);
  return (r.values.get('up')!.latent as { samples: { dims: number[] } }).samples.dims;
};

describe('Latent Upscale', () => {
  it('resizes by scale, to a size, or to one side keeping the aspect ratio (in image pixels, whole cells)', async () => {
    expect(await dimsOf({ scale: 1.5, method: 'bicubic' })).toEqual([2, 4, 24, 48]);
    expect(await dimsOf({ width: 512, height: 512, method: 'nearest' })).toEqual([2, 4, 64, 64]);
    expect(await dimsOf({ width: 384 })).toEqual([2, 4, 24, 48]);
    expect(await dimsOf({ height: 200 })).toEqual([2, 4, 25, 50]);
  });

  it('refuses a size that is not whole latent cells, naming the param', async () => {
    const r = await ex().run(graph({ width: 300, height: 256 }), { runId: 'r', targets: ['up'] });
    expect(r.status).toBe('failed');
    expect(r.error).toMatchObject({ nodeId: 'up' });
    expect(r.error!.message).toContain('width 300 is not a multiple of 8; use 304');
  });

  it('imports ComfyUI Upscale Latent By (nearest-exact → nearest)', () => {
    const { graph: g } = importComfyWorkflow({
      '1': { class_type: 'EmptyLatentImage', inputs: { width: 256, height: 256, batch_size: 1 } },
      '2': { class_type: 'LatentUpscaleBy', inputs: { samples: ['1', 0], upscale_method: 'nearest-exact', scale_by: 2 } },
    });
    const up = g.nodes.find((n) => n.type === 'latent_upscale')!;
    expect(up.params).toMatchObject({ width: 0, height: 0, scale: 2, method: 'nearest' });
    expect(g.edges).toContainEqual({ from: { node: g.nodes.find((n) => n.type === 'empty_latent')!.id, output: 'latent' }, to: { node: up.id, input: 'latent' } });
  });
});
