// importWorkflowFile: PNGs (StepFlow's and ComfyUI's), StepFlow graphs and ComfyUI API files by
// content, validated against the catalog, with unknown node types named.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Graph } from '../engine/graph';
import { WORKFLOWS_DIR } from '../paths';
import { getCatalog } from '../registry';
import { encodeImage } from '../runtime/image';
import { comfyTxt2img } from './comfyui-fixtures';
import { WorkflowImportError } from './errors';
import { importWorkflowFile } from './import-file';
import { embedGraph } from './png-graph';

const catalog = getCatalog();
const opts = { catalog };
const utf8 = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));
const txt2img = (): Graph => JSON.parse(fs.readFileSync(path.join(WORKFLOWS_DIR, 'txt2img.json'), 'utf8'));
const blank = async (text?: Record<string, string>) =>
  (await encodeImage({ data: new Float32Array(3 * 64).fill(0.25), dims: [1, 3, 8, 8] }, { format: 'png', text })).bytes;

function failure(name: string, bytes: Uint8Array): WorkflowImportError {
  try {
    importWorkflowFile(name, bytes, opts);
  } catch (e) {
    if (e instanceof WorkflowImportError) return e;
    throw e;
  }
  throw new Error('import did not fail');
}

describe('importWorkflowFile', () => {
  it('restores the graph and run details from a StepFlow PNG', async () => {
    const png = embedGraph(await blank(), txt2img(), { runId: 'run-1' });
    const r = importWorkflowFile('txt2img_000.png', png, opts);
    expect(r.source).toBe('png');
    // The shipped template is format 1: it comes back upgraded to format 3, with no groups.
    expect(r.graph).toEqual({ ...txt2img(), version: 3, groups: [] });
    expect(r.extra).toEqual({ runId: 'run-1' });
    expect(r.report).toEqual({ imported: ['checkpoint', 'positive', 'negative', 'latent', 'sampler', 'decode', 'save'], unsupported: [], warnings: [], unknownNodeTypes: [], problems: [] });
  });

  it('reads a StepFlow .json, an unversioned one as format 1, and names unknown node types', () => {
    expect(importWorkflowFile('txt2img.json', utf8(txt2img()), opts)).toMatchObject({ source: 'stepflow', graph: { ...txt2img(), version: 3, groups: [] } });

    const { version: _v, ...old } = txt2img();
    old.nodes.push(
      { id: 'magic', type: 'fancy_sampler', typeVersion: 1, params: {} },
      { id: 'magic2', type: 'fancy_sampler', typeVersion: 1, params: {} },
      { id: 'future', type: 'sampler', typeVersion: 9, params: {} },
    );
    const r = importWorkflowFile('old.json', utf8(old), opts);
    expect(r.graph.version).toBe(3);
    expect(r.report.unknownNodeTypes).toEqual(['fancy_sampler', 'sampler']);
    expect(r.report.problems.filter((p) => p.code === 'unknown_node_type').map((p) => p.nodeId)).toEqual(['magic', 'magic2', 'future']);
  });

  it('imports a ComfyUI API .json and reports what it left out', () => {
    const wf = { ...comfyTxt2img(), 10: { class_type: 'FreeU_V2', inputs: { b1: 1.3, model: ['4', 0] } } };
    const r = importWorkflowFile('C:\\Users\\me\\my workflow.json', utf8(wf), opts);
    expect(r.source).toBe('comfyui');
    expect(r.graph.meta).toEqual({ source: 'comfyui', name: 'my workflow' });
    expect(r.report.unsupported.map((u) => u.classType)).toEqual(['FreeU_V2']);
    expect(r.report.imported).toHaveLength(7);
    expect(r.report.problems).toEqual([]);
  });

  it('imports the prompt ComfyUI embeds in its PNGs', async () => {
    const png = await blank({ prompt: JSON.stringify(comfyTxt2img()), workflow: '{"last_node_id": 9, "nodes": [], "links": []}' });
    const r = importWorkflowFile('ComfyUI_00001_.png', png, opts);
    expect(r.source).toBe('comfyui');
    expect(r.report.warnings[0]).toBe('imported from the ComfyUI prompt embedded in the PNG');
    expect(r.graph.nodes.find((n) => n.id === 'positive')!.params.text).toBe('red circle on blue background');
  });

  it('says what is wrong with the file, naming it', async () => {
    const ui = failure('flow.json', utf8({ last_node_id: 3, last_link_id: 2, nodes: [], links: [] }));
    expect([ui.code, ui.file]).toEqual(['comfyui_ui_format', 'flow.json']);
    expect(ui.message).toMatch(/^flow\.json: this is a ComfyUI workflow in the editor \(UI\) format/);
    expect(failure('bad.json', utf8('{"nodes": [')).code).toBe('invalid_json');
    expect(failure('photo.png', await blank()).code).toBe('no_embedded_graph');
    expect(failure('fake.png', utf8('{}')).code).toBe('invalid_png');
    expect(failure('list.json', utf8([1, 2, 3])).code).toBe('not_a_workflow');
    expect(failure('latin.json', new Uint8Array([0x7b, 0xe9, 0x7d])).code).toBe('invalid_json');
  });
});
