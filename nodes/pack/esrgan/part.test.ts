import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { readModel } from '../../onnx/model-io';
import { esrganPart, LICENSE_FILE } from './part';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-esrgan-part-'));
  dirs.push(d);
  return d;
}

const sha = (f: string) => crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex');

describe('esrgan pack part', () => {
  it('writes both upscalers and the licence notice, byte-identical on every run', async () => {
    const [a, b] = [tmp(), tmp()];
    const files = await esrganPart.generate(a);
    expect(files).toEqual(['upscalers/esrgan-slim-x2.onnx', 'upscalers/esrgan-slim-x4.onnx', `upscalers/${LICENSE_FILE}`]);
    await esrganPart.generate(b);
    for (const f of files) expect(sha(path.join(a, f))).toBe(sha(path.join(b, f)));
    const meta = (f: string) => Object.fromEntries((readModel(fs.readFileSync(path.join(a, f))).metadataProps ?? []).map((p) => [p.key, p.value]));
    expect(meta(files[0])).toMatchObject({ scale: '2', layout: 'NCHW', range: '0-1', license: 'MIT' });
    expect(meta(files[1])).toMatchObject({ scale: '4', source: '@upscalerjs/esrgan-slim@1.0.0 models/x4' });
    expect(fs.readFileSync(path.join(a, files[2]), 'utf8')).toMatch(/MIT License\s+Copyright \(c\) 2022 Kevin Scott/);
    const total = files.reduce((n, f) => n + fs.statSync(path.join(a, f)).size, 0);
    expect(total).toBeLessThan(2.5 * 2 ** 20);
  });

  it('hashes its own code, the TF.js model files and the licence', () => {
    const names = esrganPart.sources.map((s) => path.basename(s));
    expect(names).toEqual(expect.arrayContaining(['part.ts', 'convert.ts', 'layer-ops.ts', 'model.json', 'group1-shard1of1.bin', 'LICENSE']));
    expect(esrganPart.sources.every((s) => path.isAbsolute(s) && fs.existsSync(s))).toBe(true);
  });
});
