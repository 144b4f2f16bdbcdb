import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Graph } from '../../nodes/engine/graph';
import { projectRoot } from '../paths';
import { modelKeyOf } from './model-key';

const workflow = (name: string): Graph => JSON.parse(fs.readFileSync(path.join(projectRoot, 'workflows', `${name}.json`), 'utf8'));
const set = (g: Graph, id: string, params: Record<string, unknown>): Graph => ({
  ...g, nodes: g.nodes.map((n) => (n.id === id ? { ...n, params: { ...n.params, ...params } } : n)),
});

describe('modelKeyOf', () => {
  it('is the same for runs that differ only in prompts, seeds and sampler settings', () => {
    const g = workflow('txt2img');
    const key = modelKeyOf(g);
    expect(key).toMatch(/^[0-9a-f]{16}$/);
    expect(modelKeyOf(set(set(g, 'positive', { text: 'a green square' }), 'sampler', { seed: 7, steps: 3 }))).toBe(key);
  });

  it('differs by checkpoint, and by LoRA strength', () => {
    const g = workflow('txt2img');
    expect(modelKeyOf(set(g, 'checkpoint', { ckpt_name: 'tiny-sd' }))).not.toBe(modelKeyOf(g));
    const lora = workflow('lora');
    const loraNode = lora.nodes.find((n) => n.type.includes('lora'))!;
    const strength = Object.keys(loraNode.params).find((k) => k.includes('strength'))!;
    expect(modelKeyOf(set(lora, loraNode.id, { [strength]: 0.25 }))).not.toBe(modelKeyOf(lora));
  });

  it('ignores bypassed loaders and is null for graphs that load no model', () => {
    const lora = workflow('lora');
    const loraNode = lora.nodes.find((n) => n.type.includes('lora'))!;
    const bypassed = { ...lora, nodes: lora.nodes.map((n) => (n.id === loraNode.id ? { ...n, mode: 'bypass' as const } : n)) };
    expect(modelKeyOf(set(bypassed, loraNode.id, { [Object.keys(loraNode.params)[0]]: 'anything' }))).toBe(modelKeyOf(bypassed));
    expect(modelKeyOf(workflow('image-ops'))).toBeNull();
  });
});
