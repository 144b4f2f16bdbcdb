// MAX_IMAGE_PIXELS reaches the worker process: a size only known while running (an upload's) is refused there,
// naming the node, the param, the size and the limit.
import fs from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, tempDir, until, type TestServer } from '../testing/harness';

let t: TestServer;
let dataDir: string;

beforeAll(async () => {
  dataDir = tempDir('limits-worker');
  t = await startTestServer(dataDir, { MAX_IMAGE_PIXELS: '4096' });
}, 60_000);

afterAll(async () => {
  await t?.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

it('the worker refuses a resize past MAX_IMAGE_PIXELS while running', async () => {
  // 64x64 = 4,096 pixels: exactly the limit, so the upload and Load Image accept it; 128 wide is four times that.
  const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#336699' } }).png().toBuffer();
  const { name } = await t.trpc.inputs.upload.mutate({ name: 'square.png', base64: png.toString('base64') });
  const graph = {
    version: 1 as const,
    nodes: [
      { id: 'load', type: 'load_image', typeVersion: 1, params: { image: name } },
      { id: 'big', type: 'resize', typeVersion: 1, params: { width: 128 } },
      { id: 'save', type: 'save_image', typeVersion: 1, params: {} },
    ],
    edges: [
      { from: { node: 'load', output: 'image' }, to: { node: 'big', input: 'image' } },
      { from: { node: 'big', output: 'image' }, to: { node: 'save', input: 'images' } },
    ],
  };
  const { runId } = await t.trpc.runs.enqueue.mutate({ graph });
  const run = await until(async () => {
    const r = await t.trpc.runs.get.query({ runId });
    return ['succeeded', 'failed'].includes(r.status) ? r : undefined;
  }, `run ${runId} to end`);
  expect(run.error).toEqual({
    nodeId: 'big', code: 'image_too_large',
    message: 'Resize Image (big): would output 128x128 (16,384 pixels), above MAX_IMAGE_PIXELS (4,096); lower width',
  });
  const status = Object.fromEntries(run.nodes.map((n) => [n.id, n.status]));
  expect([status.load, status.big]).toEqual(['succeeded', 'failed']);
});
