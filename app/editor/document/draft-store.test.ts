import { describe, expect, it } from 'vitest';
import type { Graph } from '../../../nodes/engine/graph';
import { draftKey, openingState, readDraft, writeDraft, type DraftStorage, type WorkflowDraft } from './draft-store';

function memoryStorage(): DraftStorage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v), removeItem: (k) => void map.delete(k) };
}

function graph(seed: number, text = 'red circle'): Graph {
  return {
    version: 1,
    nodes: [
      { id: 'p', type: 'text_encoder', typeVersion: 1, params: { text }, position: { x: 0, y: 0 } },
      { id: 'k', type: 'sampler', typeVersion: 1, params: { seed }, position: { x: 300, y: 0 }, controls: { seed: 'randomize' } },
    ],
    edges: [],
  };
}
const canonical = (g: Graph) => JSON.stringify(g);

describe('draft record', () => {
  it('round-trips through storage, one record per workflow, and removes it on null', () => {
    const s = memoryStorage();
    const draft: WorkflowDraft = { baseVersion: 2, baseline: canonical(graph(1)), graph: graph(1, 'blue square'), savedAt: 1234 };
    expect(writeDraft(s, 'w1', draft)).toBe(true);
    expect(readDraft(s, 'w1')).toEqual(draft);
    expect(readDraft(s, 'w2')).toBeNull();
    writeDraft(s, 'w1', null);
    expect(s.map.has(draftKey('w1'))).toBe(false);
  });

  it('drops a record it cannot read instead of opening a broken canvas', () => {
    const s = memoryStorage();
    s.setItem(draftKey('w1'), '{not json');
    expect(readDraft(s, 'w1')).toBeNull();
    expect(s.map.size).toBe(0);
    s.setItem(draftKey('w1'), JSON.stringify({ baseVersion: 1, baseline: canonical(graph(1)), graph: { nodes: 'x' } }));
    expect(readDraft(s, 'w1')).toBeNull();
  });

  it('reports a full storage instead of throwing', () => {
    const full: DraftStorage = { getItem: () => null, setItem: () => { throw new Error('QuotaExceededError'); }, removeItem: () => {} };
    expect(writeDraft(full, 'w1', { baseVersion: 1, baseline: '{}', graph: graph(1), savedAt: 0 })).toBe(false);
  });
});

describe('opening state', () => {
  const v3 = { number: 3, graph: graph(42) };
  it('opens the version as it is without a draft', () => {
    expect(openingState(v3, canonical, null)).toEqual({ graph: v3.graph, baseline: canonical(v3.graph), restored: null, seedsMoved: false });
  });

  it('brings back advanced seeds as not unsaved, and edits as a restored draft', () => {
    const seeds = openingState(v3, canonical, { baseVersion: 3, baseline: canonical(graph(77)), graph: graph(77), savedAt: 5 });
    expect(seeds).toMatchObject({ baseline: canonical(graph(77)), restored: null, seedsMoved: true });
    expect(seeds.graph.nodes[1].params.seed).toBe(77);
    const edited = openingState(v3, canonical, { baseVersion: 3, baseline: canonical(graph(77)), graph: graph(77, 'blue square'), savedAt: 5 });
    expect(edited).toMatchObject({ baseline: canonical(graph(77)), restored: { savedAt: 5, baseVersion: 3 }, seedsMoved: true });
  });

  it('puts a draft of an older version over the current one as unsaved changes, without its old baseline', () => {
    const old = openingState(v3, canonical, { baseVersion: 2, baseline: canonical(graph(5)), graph: graph(5), savedAt: 9 });
    expect(old).toMatchObject({ baseline: canonical(v3.graph), restored: { savedAt: 9, baseVersion: 2 }, seedsMoved: false });
    expect(old.graph).toEqual(graph(5));
  });
});
