// Graph format upgrades: unversioned graphs are format 1, newer ones are refused, and a future
// migration step plugs in by version number.
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
  it('reads today\'s format 1 unchanged', () => {
    expect(GRAPH_FORMAT_VERSION).toBe(1);
    expect(Object.keys(GRAPH_MIGRATIONS)).toEqual([]);
    expect(migrateGraph(txt2img())).toEqual(txt2img());
  });

  it('treats a graph without a version as format 1 and fills the schema defaults', () => {
    const { version: _v, ...unversioned } = txt2img();
    for (const n of unversioned.nodes) delete n.typeVersion;
    const g = migrateGraph(unversioned);
    expect(g.version).toBe(1);
    expect(g.nodes.every((n) => n.typeVersion === 1)).toBe(true);
    expect(g.nodes.map((n) => n.id)).toEqual(txt2img().nodes.map((n: { id: string }) => n.id));
  });

  it('refuses newer, non-integer and missing formats with typed errors', () => {
    expect(code(() => migrateGraph({ ...txt2img(), version: 2 }))).toBe('unsupported_graph_version');
    expect(code(() => migrateGraph({ ...txt2img(), version: '1' }))).toBe('unsupported_graph_version');
    expect(code(() => migrateGraph({ ...txt2img(), version: 0 }))).toBe('unsupported_graph_version');
    expect(code(() => migrateGraph({ nodes: 'x', edges: [] }))).toBe('invalid_graph');
    expect(code(() => migrateGraph(null))).toBe('invalid_graph');
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
