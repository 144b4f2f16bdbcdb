// Stored steps drawn on request, behind the run's access rule (AUTH=local): its owner sees them, others get the
// answer an unknown step gets.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StepLatents } from '../../nodes/engine/step-latents';
import { latentToRgb, SD15_LATENT_RGB } from '../../nodes/models/latent-rgb';
import { float16ToFloat32, float32ToFloat16 } from '../../nodes/runtime/float16';
import { tensorToHwc } from '../../nodes/runtime/image';
import { startTeamServer, type TeamServer } from '../testing/harness';
import { stepFrameUrl } from './frame-http';
import { StepStore } from './step-store';

let t: TeamServer;
let runId: string;

/** A 4x3x5 latent: a gradient, so every cell of the picture differs. */
const step: Omit<StepLatents, 'runId'> = {
  nodeId: 'sampler', step: 0, total: 1, stats: [], dims: [4, 3, 5], latentRgb: SD15_LATENT_RGB,
  x0: Float32Array.from({ length: 60 }, (_, i) => (i % 15) / 7 - 1),
  latent: Float32Array.from({ length: 60 }, (_, i) => Math.sin(i)),
};

beforeAll(async () => {
  t = await startTeamServer('step-frames', { WORKERS: '0', WORKER_HEARTBEAT_MS: '0' });
  const ann = await t.server.services.db.user.findFirstOrThrow({ where: { username: 'ann' } });
  runId = (await t.server.services.db.run.create({ data: { graph: '{}', status: 'succeeded', userId: ann.id } })).id;
  await new StepStore(t.dataDir).append(runId, [{ ...step, runId }]);
});
afterAll(async () => {
  await t?.close();
});

const get = (url: string, cookie = '', headers: Record<string, string> = {}) => fetch(`${t.url}${url}`, { headers: { ...(cookie ? { cookie } : {}), ...headers } });

describe('GET /api/steps/<run>/<offset>/<kind>.png', () => {
  it('draws the stored latent for the run\'s owner: latentToRgb of its float16 values, 8 px per cell', async () => {
    for (const [kind, values] of [['x0', step.x0], ['latent', step.latent!]] as const) {
      const res = await get(stepFrameUrl(runId, 0, kind), t.ann.cookie());
      expect([res.status, res.headers.get('content-type'), res.headers.get('cache-control')]).toEqual([200, 'image/png', 'private, max-age=31536000, immutable']);
      const px = await sharp(Buffer.from(await res.arrayBuffer())).raw().toBuffer({ resolveWithObject: true });
      expect([px.info.width, px.info.height, px.info.channels]).toEqual([40, 24, 3]);
      const want = tensorToHwc(latentToRgb({ data: float16ToFloat32(float32ToFloat16(values)), dims: [1, 4, 3, 5] }, SD15_LATENT_RGB));
      expect(Buffer.compare(px.data, Buffer.from(want.data))).toBe(0);
    }
    const again = await get(stepFrameUrl(runId, 0, 'x0'), t.ann.cookie(), { 'if-none-match': `"${runId}-0-x0"` });
    expect(again.status).toBe(304);
  });

  it('answers 404 to other users, to nobody, and where no step is stored', async () => {
    expect((await get(stepFrameUrl(runId, 0, 'x0'), t.bob.cookie())).status).toBe(404);
    expect((await get(stepFrameUrl(runId, 0, 'x0'))).status).toBe(404);
    expect((await get(stepFrameUrl(runId, 0, 'x0'), t.admin.cookie())).status).toBe(200); // admins see every run
    expect((await get(stepFrameUrl(runId, 3, 'x0'), t.ann.cookie())).status).toBe(404);
    expect((await get(`/api/steps/${runId}/0/noise.png`, t.ann.cookie())).status).toBe(404);
    expect((await get('/api/steps/..%2F..%2Fetc/0/x0.png', t.ann.cookie())).status).toBe(404);
    expect((await fetch(`${t.url}${stepFrameUrl(runId, 0, 'x0')}`, { method: 'DELETE', headers: { cookie: t.ann.cookie() } })).status).toBe(405);
  });
});
