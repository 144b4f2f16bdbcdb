// The template preview route: serves workflows/previews/*.png by plain name only, cacheable when versioned.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTemplatePreviewHandler, templatePreviewUrl } from './template-previews';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-previews-'));
const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
let server: http.Server;
let base: string;

beforeAll(async () => {
  fs.mkdirSync(path.join(dir, 'previews'));
  fs.writeFileSync(path.join(dir, 'previews', 'txt2img.png'), png);
  fs.writeFileSync(path.join(dir, 'secret.png'), 'outside the previews folder');
  server = http.createServer(createTemplatePreviewHandler(dir));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('GET /api/template-previews/<name>.png', () => {
  it('serves the shipped bytes; the versioned URL is immutable', async () => {
    const url = templatePreviewUrl('txt2img.json', dir)!;
    const res = await fetch(base + url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(png);
  });

  it('names nothing outside the previews folder and refuses writes', async () => {
    expect(templatePreviewUrl('missing.json', dir)).toBeNull();
    for (const p of ['missing.png', '..%2Fsecret.png', '../secret.png', 'txt2img.json']) {
      expect((await fetch(`${base}/api/template-previews/${p}`)).status, p).toBe(404);
    }
    const post = await fetch(`${base}/api/template-previews/txt2img.png`, { method: 'POST' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
  });
});
