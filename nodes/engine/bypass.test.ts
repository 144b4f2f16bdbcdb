// Bypass: pass-through by socket type (real catalog nodes), chains, cut outputs named in validation, and a run
// through the executor with bypassed nodes doing nothing.
import { describe, expect, it } from 'vitest';
import { getCatalog } from '../registry';
import { resolveBypass } from './bypass';
import { validateGraph } from './validate';
import type { Graph } from './graph';

const catalog = new Map(getCatalog().map((c) => [c.type, c]));
const node = (id: string, type: string, extra: Record<string, unknown> = {}) => ({ id, type, typeVersion: 1, params: {}, ...extra });
const edge = (from: string, output: string, to: string, input: string) => ({ from: { node: from, output }, to: { node: to, input } });

/** checkpoint → lora → lora2 → sampler (model) / text encoders (clip); decode → resize → save. */
function loraGraph(bypass: string[]): Graph {
  const m = (id: string, type: string) => node(id, type, bypass.includes(id) ? { mode: 'bypass' } : {});
  return {
    version: 1,
    nodes: [
      m('ckpt', 'checkpoint_loader'), m('lora', 'lora_loader'), m('lora2', 'lora_loader'), m('pos', 'text_encoder'),
      m('neg', 'text_encoder'), m('latent', 'empty_latent'), m('sampler', 'sampler'), m('decode', 'vae_decode'),
      m('resize', 'resize'), m('save', 'save_image'),
    ],
    edges: [
      edge('ckpt', 'model', 'lora', 'model'), edge('ckpt', 'clip', 'lora', 'clip'),
      edge('lora', 'model', 'lora2', 'model'), edge('lora', 'clip', 'lora2', 'clip'),
      edge('lora2', 'model', 'sampler', 'model'), edge('lora2', 'clip', 'pos', 'clip'), edge('lora2', 'clip', 'neg', 'clip'),
      edge('pos', 'conditioning', 'sampler', 'positive'), edge('neg', 'conditioning', 'sampler', 'negative'),
      edge('latent', 'latent', 'sampler', 'latent'), edge('sampler', 'latent', 'decode', 'latent'), edge('ckpt', 'vae', 'decode', 'vae'),
      edge('decode', 'image', 'resize', 'image'), edge('resize', 'image', 'save', 'images'),
    ],
  };
}
const edgeText = (g: Graph) => g.edges.map((e) => `${e.from.node}.${e.from.output}>${e.to.node}.${e.to.input}`).sort();

describe('resolveBypass', () => {
  it('leaves a graph without bypassed nodes as it is', () => {
    const g = loraGraph([]);
    expect(resolveBypass(g, catalog).graph).toBe(g);
  });

  it('passes each output through from the first input of its type, across a chain of bypassed nodes', () => {
    const { graph, cut } = resolveBypass(loraGraph(['lora', 'lora2', 'resize']), catalog);
    expect(graph.nodes.map((n) => n.id)).toEqual(['ckpt', 'pos', 'neg', 'latent', 'sampler', 'decode', 'save']);
    expect(edgeText(graph)).toEqual([
      'ckpt.clip>neg.clip', 'ckpt.clip>pos.clip', 'ckpt.model>sampler.model', 'ckpt.vae>decode.vae',
      'decode.image>save.images', 'latent.latent>sampler.latent', 'neg.conditioning>sampler.negative',
      'pos.conditioning>sampler.positive', 'sampler.latent>decode.latent',
    ]);
    expect(cut.size).toBe(0);
  });

  it('cuts an output with no input of its type, and validation names the bypassed node', () => {
    const g = loraGraph(['decode']); // LATENT in, IMAGE out: nothing to pass
    const { cut } = resolveBypass(g, catalog);
    expect([...cut]).toEqual([['resize\0image', 'decode']]);
    const v = validateGraph(g, { catalog });
    expect(v.ok).toBe(false);
    expect(v.problems.filter((p) => p.code === 'missing_input').map((p) => p.message)).toEqual([
      'node "resize" (Resize Image) gets nothing on its IMAGE input "image": node "decode" is bypassed and has no IMAGE input to pass through',
    ]);
  });

  it('a bypassed output node produces nothing; a bypassed target cannot be run to', () => {
    const g = loraGraph(['save']);
    expect(validateGraph(g, { catalog }).problems.map((p) => p.code)).toEqual(['no_output']);
    const v = validateGraph(loraGraph(['resize']), { catalog, targets: ['resize'] });
    expect(v.problems.map((p) => p.message)).toContain('node "resize" is bypassed: turn bypass off to run to it');
  });

  it('validation keeps the graph as given and hands the executor the resolved one', () => {
    const v = validateGraph(loraGraph(['lora']), { catalog });
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(v.graph.nodes.find((n) => n.id === 'lora')?.mode).toBe('bypass');
    expect(v.runGraph.nodes.some((n) => n.id === 'lora')).toBe(false);
  });
});
