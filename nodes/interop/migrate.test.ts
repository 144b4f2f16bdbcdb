// Graph format upgrades: unversioned graphs are format 1, format 1 gains empty groups in format 2, newer ones are
// refused, bad groups are named, and a further migration step plugs in by version number.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GRAPH_FORMAT_VERSION } from '../engine/graph';
import { WORKFLOWS_DIR } from '../paths';
import { WorkflowImportError } from './errors';
import { GRAPH_MIGRATIONS, migrateGraph, migrateGraphJson, type GraphMigration } from './migrate';

const txt2img = () => JSON.parse(fs.readFileSync(path.join(WORKFLOWS_DIR, 'txt2img.json'), 'utf8'));

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof WorkflowImportError) return e.code;
    throw e;
  }
  return 'none';
}

describe('migrateGraph', () => {
  it('upgrades a format-1 graph to format 3 with no groups and no subgraphs, nothing else changed', () => {
    expect(GRAPH_FORMAT_VERSION).toBe(3);
    expect(Object.keys(GRAPH_MIGRATIONS)).toEqual(['1', '2']);
    const v1 = txt2img();
    expect(v1.version).toBe(1);
    expect(migrateGraph(v1)).toEqual({ ...v1, version: 3, groups: [] });
  });

  it('upgrades a format-2 graph to format 3 as it is (subgraphs are optional; a format-2 graph has none)', () => {
    const groups = [{ id: 'g1', title: 'Prompts', color: '#3b6ea5', bounds: { x: -20, y: 40.5, width: 400, height: 260 } }];
    const v2 = { ...txt2img(), version: 2, groups };
    expect(migrateGraph(structuredClone(v2))).toEqual({ ...v2, version: 3 });
  });

  it('reads a format-3 graph with a subgraph definition and names what is wrong with a bad one', () => {
    const def = { name: 'Prompt', nodes: [txt2img().nodes[1]], edges: [], inputs: [{ name: 'clip', type: 'CLIP', to: [{ node: 'positive', input: 'clip' }] }], outputs: [], params: [] };
    const v3 = { ...txt2img(), version: 3, subgraphs: { p: def } };
    expect(migrateGraph(structuredClone(v3)).subgraphs).toEqual({ p: { ...def, nodes: [{ ...def.nodes[0], params: { text: 'red circle on blue background' } }] } });
    expect(() => migrateGraph({ ...v3, subgraphs: { p: { ...def, inputs: [{ name: 'clip', type: 'CLIP', to: [] }] } } })).toThrow(/subgraphs\.p\.inputs\.0\.to/);
    expect(() => migrateGraph({ ...v3, subgraphs: { p: { ...def, name: '' } } })).toThrow(/subgraphs\.p\.name/);
  });

  it('treats a graph without a version as format 1 and fills the schema defaults', () => {
    const { version: _v, ...unversioned } = txt2img();
    for (const n of unversioned.nodes) delete n.typeVersion;
    const g = migrateGraph(unversioned);
    expect(g.version).toBe(3);
    expect(g.groups).toEqual([]);
    expect(g.nodes.every((n) => n.typeVersion === 1)).toBe(true);
    expect(g.nodes.map((n) => n.id)).toEqual(txt2img().nodes.map((n: { id: string }) => n.id));
  });

  it('reads a format-2 graph with groups as it is', () => {
    const groups = [
      { id: 'g1', title: 'Prompts', color: '#3b6ea5', bounds: { x: -20, y: 40.5, width: 400, height: 260 } },
      { id: 'g2', title: '', color: '#A05A2C', bounds: { x: 0, y: 0, width: 1, height: 1 } },
    ];
    const v2 = { ...txt2img(), version: 2, groups };
    expect(migrateGraph(structuredClone(v2))).toEqual({ ...v2, version: 3 });
    // The step leaves groups it finds to the schema rather than replacing them.
    expect(migrateGraphJson({ ...txt2img(), groups }).groups).toBe(groups);
  });

  it('refuses newer, non-integer and missing formats with typed errors', () => {
    expect(code(() => migrateGraph({ ...txt2img(), version: 4 }))).toBe('unsupported_graph_version');
    expect(code(() => migrateGraph({ ...txt2img(), version: '1' }))).toBe('unsupported_graph_version');
    expect(code(() => migrateGraph({ ...txt2img(), version: 0 }))).toBe('unsupported_graph_version');
    expect(code(() => migrateGraph({ nodes: 'x', edges: [] }))).toBe('invalid_graph');
    expect(code(() => migrateGraph(null))).toBe('invalid_graph');
  });

  it('names what is wrong with a bad group', () => {
    const bad = (group: unknown) => {
      try {
        migrateGraph({ ...txt2img(), version: 2, groups: [group] });
      } catch (e) {
        if (e instanceof WorkflowImportError && e.code === 'invalid_graph') return e.message;
        throw e;
      }
      return 'accepted';
    };
    const ok = { id: 'g1', title: 'T', color: '#112233', bounds: { x: 0, y: 0, width: 100, height: 80 } };
    expect(bad(ok)).toBe('accepted');
    expect(bad({ ...ok, color: 'red' })).toMatch(/groups\.0\.color: must be a colour as #rrggbb/);
    expect(bad({ ...ok, bounds: { x: 0, y: 0, width: 0, height: 80 } })).toMatch(/groups\.0\.bounds\.width/);
    expect(bad({ ...ok, bounds: { x: 0, y: 0, width: 100 } })).toMatch(/groups\.0\.bounds\.height/);
    expect(bad({ ...ok, bounds: { x: Infinity, y: 0, width: 100, height: 80 } })).toMatch(/groups\.0\.bounds\.x/);
    expect(bad({ ...ok, id: '' })).toMatch(/groups\.0\.id/);
    expect(bad({ ...ok, title: 'x'.repeat(201) })).toMatch(/groups\.0\.title/);
    expect(bad({ title: 'T', color: '#112233', bounds: ok.bounds })).toMatch(/groups\.0\.id/);
    expect(() => migrateGraph({ ...txt2img(), version: 2, groups: [ok, ok] })).toThrow(/groups\.1\.id: duplicate group id "g1"/);
    expect(() => migrateGraph({ ...txt2img(), version: 2, groups: {} })).toThrow(/groups: /);
  });
});

describe('migrateGraphJson with a future format 2', () => {
  // What a real v1 -> v2 step could look like: say format 2 renames node "params" to "settings".
  const toV2: GraphMigration = (g) => ({
    ...g,
    nodes: (g.nodes as Record<string, unknown>[]).map(({ params, ...n }) => ({ ...n, settings: params })),
  });

  it('runs the step for a v1 graph and stamps version 2', () => {
    const v2 = migrateGraphJson(txt2img(), { 1: toV2 }, 2);
    expect(v2.version).toBe(2);
    const sampler = (v2.nodes as Record<string, unknown>[]).find((n) => n.id === 'sampler')!;
    expect(sampler).not.toHaveProperty('params');
    expect(sampler.settings).toEqual({ seed: 42, steps: 20, cfg: 7.5, sampler: 'euler', scheduler: 'normal', denoise: 1 });
  });

  it('runs it for an unversioned graph too, leaves a v2 graph alone and needs every step', () => {
    const { version: _v, ...unversioned } = txt2img();
    expect(migrateGraphJson(unversioned, { 1: toV2 }, 2).version).toBe(2);
    const v2 = { version: 2, nodes: [], edges: [] };
    expect(migrateGraphJson(v2, { 1: toV2 }, 2)).toBe(v2);
    expect(code(() => migrateGraphJson(txt2img(), {}, 2))).toBe('unsupported_graph_version');
  });
});
