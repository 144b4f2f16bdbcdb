// The LoRA picker's wiring (which checkpoint feeds each loader, through chains) and its notes.
import { describe, expect, it } from 'vitest';
import { fitNote, loraCheckpoints } from './lora-fit';

const node = (id: string, type: string, params: Record<string, unknown> = {}) => ({ id, data: { type, params } });
const edge = (source: string, target: string, targetHandle: string) => ({ source, target, targetHandle });

describe('LoRA picker fit', () => {
  it('finds the checkpoint behind each loader, through chained loaders, and nothing behind a loose U-Net or a loop', () => {
    const nodes = [
      node('ckpt', 'checkpoint_loader', { ckpt_name: 'sprites' }), node('a', 'lora_loader'), node('b', 'lora_loader'),
      node('unet', 'unet_loader'), node('c', 'lora_loader'), node('d', 'lora_loader'), node('e', 'lora_loader'),
    ];
    const edges = [
      edge('ckpt', 'a', 'model'), edge('ckpt', 'a', 'clip'), edge('a', 'b', 'model'),
      edge('unet', 'c', 'model'), edge('e', 'd', 'model'), edge('d', 'e', 'model'),
    ];
    expect([...loraCheckpoints(nodes, edges)]).toEqual([['a', 'sprites'], ['b', 'sprites']]);
  });

  it('notes a LoRA that fits nothing or part, not one that fits whole', () => {
    expect(fitNote({ applied: 0, total: 3 }, 'sprites')).toBe('⚠ does not fit sprites');
    expect(fitNote({ applied: 3, total: 120 }, 'tiny-sd')).toBe('⚠ fits 3 of 120 layers of tiny-sd');
    expect(fitNote({ applied: 1, total: 1 }, 'sprites')).toBeUndefined();
    expect(fitNote(undefined, 'sprites')).toBeUndefined();
  });
});
