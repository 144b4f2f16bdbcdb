// Graph diffs: nodes, edges, params and moves between two versions, and their readable lines.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Graph } from '../engine/graph';
import { WORKFLOWS_DIR } from '../paths';
import { describeDiff, diffGraphs, isEmptyDiff } from './diff';

const txt2img = (): Graph => JSON.parse(fs.readFileSync(path.join(WORKFLOWS_DIR, 'txt2img.json'), 'utf8'));

/** txt2img turned into the LoRA workflow by hand, with a new prompt, more steps and a moved node. */
function edited(): Graph {
  const g = txt2img();
  g.nodes.find((n) => n.id === 'positive')!.params.text = 'blue square';
  const sampler = g.nodes.find((n) => n.id === 'sampler')!;
  sampler.params.steps = 30;
  delete sampler.params.denoise;
  sampler.params.noise = 'torch';
  g.nodes.find((n) => n.id === 'decode')!.position = { x: 1100, y: 160 };
  g.nodes.push({ id: 'lora', type: 'lora_loader', typeVersion: 1, params: { lora_name: 'sprites-palette.safetensors', strength_model: 1, strength_clip: 1 } });
  g.edges = g.edges.filter((e) => !(e.from.node === 'checkpoint' && e.to.node === 'sampler'));
  g.edges.push(
    { from: { node: 'checkpoint', output: 'model' }, to: { node: 'lora', input: 'model' } },
    { from: { node: 'lora', output: 'model' }, to: { node: 'sampler', input: 'model' } },
  );
  return g;
}

describe('diffGraphs', () => {
  it('reports a node\'s title, bypass and seed control changes', () => {
    const after = txt2img();
    const sampler = after.nodes.find((n) => n.id === 'sampler')!;
    sampler.title = 'Main sampler';
    sampler.controls = { seed: 'random' };
    after.nodes.find((n) => n.id === 'negative')!.mode = 'bypass';
    const d = diffGraphs(txt2img(), after);
    expect(d.settingsChanged).toEqual([
      { nodeId: 'negative', setting: 'mode', from: undefined, to: 'bypass' },
      { nodeId: 'sampler', setting: 'title', from: undefined, to: 'Main sampler' },
      { nodeId: 'sampler', setting: 'controls', from: { seed: 'randomize' }, to: { seed: 'random' } },
    ]);
    expect(describeDiff(d)).toEqual([
      'negative: bypassed',
      'sampler title: (default) → "Main sampler"',
      'sampler controls: {"seed":"randomize"} → {"seed":"random"}',
    ]);
    expect(describeDiff(diffGraphs(after, txt2img()))[0]).toBe('negative: no longer bypassed');
    expect(isEmptyDiff(diffGraphs(after, after))).toBe(true);
  });

  it('reports collapsing and expanding a node; an absent flag equals false', () => {
    const after = txt2img();
    after.nodes.find((n) => n.id === 'sampler')!.collapsed = true;
    const d = diffGraphs(txt2img(), after);
    expect(d.settingsChanged).toEqual([{ nodeId: 'sampler', setting: 'collapsed', from: undefined, to: true }]);
    expect(describeDiff(d)).toEqual(['sampler: collapsed']);
    expect(describeDiff(diffGraphs(after, txt2img()))).toEqual(['sampler: expanded']);
    const expandedFalse = txt2img();
    expandedFalse.nodes[0].collapsed = false;
    expect(isEmptyDiff(diffGraphs(txt2img(), expandedFalse))).toBe(true);
  });

  it('reports a node\'s colour and pin; an absent pin equals false', () => {
    const after = txt2img();
    Object.assign(after.nodes.find((n) => n.id === 'sampler')!, { color: '#a04545', pinned: true });
    const d = diffGraphs(txt2img(), after);
    expect(d.settingsChanged).toEqual([
      { nodeId: 'sampler', setting: 'color', from: undefined, to: '#a04545' },
      { nodeId: 'sampler', setting: 'pinned', from: undefined, to: true },
    ]);
    expect(describeDiff(d)).toEqual(['sampler color: (default) → "#a04545"', 'sampler: pinned']);
    expect(describeDiff(diffGraphs(after, txt2img()))).toEqual(['sampler color: "#a04545" → (default)', 'sampler: unpinned']);
    const unpinnedFalse = txt2img();
    unpinnedFalse.nodes[0].pinned = false;
    expect(isEmptyDiff(diffGraphs(txt2img(), unpinnedFalse))).toBe(true);
  });

  it('finds added nodes and edges, removed edges, param changes and moves', () => {
    const before = txt2img();
    before.nodes.find((n) => n.id === 'positive')!.params.text = 'red circle';
    const d = diffGraphs(before, edited());
    expect(d).toEqual({
      nodesAdded: [{ id: 'lora', type: 'lora_loader' }],
      nodesRemoved: [],
      edgesAdded: [
        { from: { node: 'checkpoint', output: 'model' }, to: { node: 'lora', input: 'model' } },
        { from: { node: 'lora', output: 'model' }, to: { node: 'sampler', input: 'model' } },
      ],
      edgesRemoved: [{ from: { node: 'checkpoint', output: 'model' }, to: { node: 'sampler', input: 'model' } }],
      paramsChanged: [
        { nodeId: 'positive', param: 'text', from: 'red circle', to: 'blue square' },
        { nodeId: 'sampler', param: 'steps', from: 20, to: 30 },
        { nodeId: 'sampler', param: 'denoise', from: 1, to: undefined },
        { nodeId: 'sampler', param: 'noise', from: undefined, to: 'torch' },
      ],
      settingsChanged: [],
      moved: ['decode'],
    });
    expect(describeDiff(d)).toEqual([
      '+ node lora (lora_loader)',
      '- edge checkpoint.model → sampler.model',
      '+ edge checkpoint.model → lora.model',
      '+ edge lora.model → sampler.model',
      'positive.text: "red circle" → "blue square"',
      'sampler.steps: 20 → 30',
      'sampler.denoise: 1 → (default)',
      'sampler.noise: (default) → "torch"',
      'moved: decode',
    ]);
  });

  it('is the mirror image when reversed', () => {
    const d = diffGraphs(edited(), txt2img());
    expect(d.nodesRemoved).toEqual([{ id: 'lora', type: 'lora_loader' }]);
    expect(d.nodesAdded).toEqual([]);
    expect(d.edgesAdded).toEqual([{ from: { node: 'checkpoint', output: 'model' }, to: { node: 'sampler', input: 'model' } }]);
    expect(describeDiff(d)[0]).toBe('- node lora (lora_loader)');
  });

  it('treats a node whose type changed as removed and added, and ignores key order in object params', () => {
    const a: Graph = {
      version: 1,
      nodes: [
        { id: 'x', type: 'solid_color', typeVersion: 1, params: { width: 8 } },
        { id: 'y', type: 'composite', typeVersion: 1, params: { opts: { a: 1, b: [1, 2] } } },
      ],
      edges: [],
    };
    const b: Graph = {
      version: 1,
      nodes: [
        { id: 'x', type: 'load_image', typeVersion: 1, params: { image: 'a.png' } },
        { id: 'y', type: 'composite', typeVersion: 1, params: { opts: { b: [1, 2], a: 1 } } },
      ],
      edges: [],
    };
    const d = diffGraphs(a, b);
    expect(d.nodesRemoved).toEqual([{ id: 'x', type: 'solid_color' }]);
    expect(d.nodesAdded).toEqual([{ id: 'x', type: 'load_image' }]);
    expect(d.paramsChanged).toEqual([]);
    expect(describeDiff(d)).toEqual(['- node x (solid_color)', '+ node x (load_image)']);
  });

  it('finds nothing between a graph and its copy', () => {
    const d = diffGraphs(txt2img(), txt2img());
    expect(isEmptyDiff(d)).toBe(true);
    expect(describeDiff(d)).toEqual([]);
  });
});
