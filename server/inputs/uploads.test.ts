// Uploaded input images against the real server (AUTH=local): checked by decoding, stored once per content under
// a hash name, listed per uploader, served by name, and run by Load Image on a worker.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionClient, trpcOutcome, until, type SessionClient, startTeamServer, type TeamServer } from '../testing/harness';

let t: TeamServer;
let dataDir: string;
let ann: SessionClient;
let bob: SessionClient;

async function png(width: number, height: number, rgb: [number, number, number]): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).png().toBuffer();
}

beforeAll(async () => {
  t = await startTeamServer('uploads');
  ({ dataDir, ann, bob } = t);
}, 60_000);

afterAll(() => t?.close());

describe('input uploads', () => {
  it('stores an image once under its hash, lists it for its uploader, serves it by name', async () => {
    const bytes = await png(40, 24, [10, 200, 30]);
    const up = await ann.trpc.inputs.upload.mutate({ name: 'C:\\photos\\leaf.png', base64: bytes.toString('base64') });
    const hash = crypto.createHash('sha256').update(bytes).digest('hex').slice(0, 32);
    expect(up).toMatchObject({ name: `${hash}.png`, originalName: 'leaf.png', mime: 'image/png', width: 40, height: 24, size: bytes.length });
    expect(fs.readFileSync(path.join(dataDir, 'inputs', up.name)).equals(bytes)).toBe(true);
    // The same bytes again: the same file, and Bob's too (his own row, under his file name).
    expect((await bob.trpc.inputs.upload.mutate({ name: 'copy.png', base64: bytes.toString('base64') })).name).toBe(up.name);
    expect((await ann.trpc.inputs.list.query()).map((u) => [u.name, u.originalName])).toEqual([[up.name, 'leaf.png']]);
    expect((await bob.trpc.inputs.list.query()).map((u) => [u.name, u.originalName])).toEqual([[up.name, 'copy.png']]);

    const res = await fetch(`${t.url}${up.url}`, { headers: { cookie: ann.cookie() } });
    expect([res.status, res.headers.get('content-type')]).toEqual([200, 'image/png']);
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    // Shipped examples are served too; anything outside the input folders is not.
    expect((await fetch(`${t.url}/api/inputs/example.png`)).status).toBe(200);
    expect((await fetch(`${t.url}/api/inputs/..%2Fstepflow.db`)).status).toBe(404);
    expect((await fetch(`${t.url}/api/inputs/${'0'.repeat(32)}.png`)).status).toBe(404);
  });

  it('refuses what is not a PNG, JPEG or WebP image, naming the file', async () => {
    const bad = await ann.trpc.inputs.upload.mutate({ name: 'notes.png', base64: Buffer.from('hello').toString('base64') }).catch((e: Error) => e);
    expect((bad as Error).message).toMatch(/^notes\.png: not an image this server can read .*upload a PNG, JPEG or WebP$/);
    const gif = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#fff' } }).gif().toBuffer();
    expect((await ann.trpc.inputs.upload.mutate({ name: 'anim.gif', base64: gif.toString('base64') }).catch((e: Error) => e) as Error).message)
      .toBe('anim.gif: gif images are not accepted; upload a PNG, JPEG or WebP');
    expect(await trpcOutcome(sessionClient(t.url).trpc.inputs.upload.mutate({ name: 'x.png', base64: (await png(2, 2, [0, 0, 0])).toString('base64') })))
      .toBe('UNAUTHORIZED');
  });

  it('Load Image runs an upload on the worker', async () => {
    const up = await ann.trpc.inputs.upload.mutate({ name: 'red.jpg', base64: (await sharp(await png(32, 16, [250, 10, 10])).jpeg({ quality: 95 }).toBuffer()).toString('base64') });
    expect(up.name).toMatch(/\.jpg$/);
    const graph = {
      version: 1 as const,
      nodes: [
        { id: 'load', type: 'load_image', typeVersion: 1, params: { image: up.name } },
        { id: 'save', type: 'save_image', typeVersion: 1, params: {} },
      ],
      edges: [{ from: { node: 'load', output: 'image' }, to: { node: 'save', input: 'images' } }],
    };
    const { runId } = await ann.trpc.runs.enqueue.mutate({ graph });
    const run = await until(async () => {
      const r = await ann.trpc.runs.get.query({ runId });
      return ['succeeded', 'failed'].includes(r.status) ? r : undefined;
    }, 'the run');
    expect(run.error).toBeNull();
    const out = Buffer.from(await (await fetch(`${t.url}${run.artifacts.find((a) => a.kind === 'image')!.url}`, { headers: { cookie: ann.cookie() } })).arrayBuffer());
    const { data, info } = await sharp(out).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([32, 16]);
    expect(Math.abs(data[0] - 250) + Math.abs(data[1] - 10) + Math.abs(data[2] - 10)).toBeLessThan(12); // JPEG
    // A path out of the input folder is refused before it reaches a worker.
    const escape = { ...graph, nodes: [{ ...graph.nodes[0], params: { image: '../stepflow.db' } }, graph.nodes[1]] };
    expect(await trpcOutcome(ann.trpc.runs.enqueue.mutate({ graph: escape }))).toBe('BAD_REQUEST');
  });
});
