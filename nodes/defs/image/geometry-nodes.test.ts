// Crop Image and Flip / Rotate through the executor on a solid colour + composite-free picture.
import { describe, expect, it } from 'vitest';
import { Executor } from '../../engine/executor';
import type { OnnxRuntime } from '../../runtime/onnx';
import { ModelStore } from '../../runtime/models';
import { InputStore } from '../../runtime/inputs';

const ex = () => new Executor({ runtime: { ortMs: 0 } as OnnxRuntime, models: new ModelStore('/nonexistent'), inputs: new InputStore([]) });

function graph(extra: { id: string; type: string; params: Record<string, unknown> }[]) {
  const chain = [{ id: 'fill', type: 'solid_color', typeVersion: 1, params: { width: 64, height: 32, color: '#ff8000' } }, ...extra.map((n) => ({ ...n, typeVersion: 1 }))];
  return {
    version: 1 as const,
    nodes: [...chain, { id: 'save', type: 'save_image', typeVersion: 1, params: {} }],
    edges: [...chain.slice(1), { id: 'save' }].map((n, i) => ({
      from: { node: chain[i].id, output: 'image' }, to: { node: n.id, input: n.id === 'save' ? 'images' : 'image' },
    })),
  };
}

describe('Crop Image and Flip / Rotate', () => {
  it('crop then rotate: a 16x8 crop of 64x32 turns into 8x16', async () => {
    const r = await ex().run(graph([
      { id: 'crop', type: 'crop', params: { x: 40, y: 20, width: 16, height: 8 } },
      { id: 'turn', type: 'transform', params: { operation: 'rotate_90' } },
    ]), { runId: 'r' });
    expect(r.status).toBe('succeeded');
    const img = r.values.get('turn')!.image as { dims: number[]; data: Float32Array };
    expect(img.dims).toEqual([1, 3, 16, 8]);
    expect([img.data[0], img.data[128], img.data[256]].map((v) => Math.round(v * 255))).toEqual([255, 128, 0]);
  });

  it('a crop past the edge fails naming the node, the param and the image size', async () => {
    const r = await ex().run(graph([{ id: 'crop', type: 'crop', params: { x: 60, y: 0, width: 16, height: 8 } }]), { runId: 'r' });
    expect(r.status).toBe('failed');
    expect(r.error).toMatchObject({ nodeId: 'crop', code: 'crop_outside_image' });
    expect(r.error!.message).toBe('Crop Image (crop): the rectangle 16x8 at (60, 0) reaches past the 64x32 image; make it fit');
  });
});
