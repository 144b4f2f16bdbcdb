import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listTemplates, readTemplateGraph, TemplateError } from './workflow-templates';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-templates-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('workflow templates', () => {
  it('lists *.json with meta name and description, skipping broken files', () => {
    fs.writeFileSync(path.join(dir, 'b-ops.json'), JSON.stringify({ version: 1, nodes: [], edges: [], meta: { name: 'Image ops', description: 'no models' } }));
    fs.writeFileSync(path.join(dir, 'a-plain.json'), JSON.stringify({ version: 1, nodes: [], edges: [] }));
    fs.writeFileSync(path.join(dir, 'broken.json'), '{ nope');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'x');
    fs.mkdirSync(path.join(dir, 'previews'));
    fs.writeFileSync(path.join(dir, 'previews', 'b-ops.png'), 'png bytes');
    expect(listTemplates(dir)).toEqual([
      { file: 'a-plain.json', name: 'a-plain', description: '', previewUrl: null },
      // The URL changes with the picture (its hash), so browsers may keep it for good.
      { file: 'b-ops.json', name: 'Image ops', description: 'no models', previewUrl: expect.stringMatching(/^\/api\/template-previews\/b-ops\.png\?v=[0-9a-f]{16}$/) },
    ]);
    const before = listTemplates(dir)[1].previewUrl;
    fs.writeFileSync(path.join(dir, 'previews', 'b-ops.png'), 'other png bytes');
    expect(listTemplates(dir)[1].previewUrl).not.toBe(before);
  });

  it('reads only plain file names inside the folder', () => {
    expect(readTemplateGraph('b-ops.json', dir).meta).toEqual({ name: 'Image ops', description: 'no models' });
    expect(() => readTemplateGraph('../b-ops.json', dir)).toThrow(TemplateError);
    expect(() => readTemplateGraph('missing.json', dir)).toThrow(/available: a-plain.json, b-ops.json, broken.json/);
  });
});
