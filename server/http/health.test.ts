// /api/health: { ok } for anyone; workers and their runs only for an admin (AUTH=none: the one trusted user is admin).
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { sessionClient, startTestServer, tempDir, until, type TestServer } from '../testing/harness';

const started: { t: TestServer; dir: string }[] = [];
async function server(env: Record<string, string>): Promise<TestServer> {
  const dir = tempDir('health');
  const t = await startTestServer(dir, { WORKERS: '1', ...env });
  started.push({ t, dir });
  return t;
}
afterAll(async () => {
  for (const { t, dir } of started) {
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

const health = async (t: TestServer, headers: Record<string, string> = {}) => {
  const res = await fetch(`${t.url}/api/health`, { headers });
  return { status: res.status, body: await res.json() };
};
// The prompt cache's totals arrive with the worker's first heartbeat answer: null until then, zeros for a fresh worker.
const promptCache = expect.toBeOneOf([null, { hits: 0, misses: 0, entries: 0, bytes: 0, evictions: 0 }]);
// Memory, like the prompt cache, comes with the first heartbeat answer.
const memory = expect.toBeOneOf([null, { rss: expect.any(Number), onnxSessions: expect.any(Number) }]);
const idleWorker = { ok: true, workers: [{ id: '1', state: 'idle', provider: 'cpu', runId: null, promptCache, pool: 'default', memory }] };

describe('/api/health', () => {
  it('AUTH=none: the single trusted user is the admin and sees the workers', async () => {
    const t = await server({});
    expect(await until(async () => {
      const h = await health(t);
      return h.body.workers?.[0]?.state === 'idle' ? h : undefined;
    }, 'the worker to be idle')).toEqual({ status: 200, body: idleWorker });
  });

  it('AUTH=local: anonymous callers and non-admins get only { ok }; an admin session or admin token gets the workers', async () => {
    const t = await server({ AUTH: 'local', ADMIN_USERNAME: 'root', ADMIN_PASSWORD: 'admin-secret-1' });
    expect(await health(t)).toEqual({ status: 200, body: { ok: true } });

    const user = sessionClient(t.url);
    await user.trpc.auth.signUp.mutate({ username: 'nina', password: 'nina-password' });
    expect(await health(t, { Cookie: user.cookie() })).toEqual({ status: 200, body: { ok: true } });
    const userToken = (await user.trpc.tokens.create.mutate({ name: 'ci' })).token;
    expect(await health(t, { Authorization: `Bearer ${userToken}` })).toEqual({ status: 200, body: { ok: true } });

    const root = sessionClient(t.url);
    await root.trpc.auth.signIn.mutate({ username: 'root', password: 'admin-secret-1' });
    expect(await until(async () => {
      const h = await health(t, { Cookie: root.cookie() });
      return h.body.workers?.[0]?.state === 'idle' ? h : undefined;
    }, 'the worker to be idle')).toEqual({ status: 200, body: idleWorker });
    const rootToken = (await root.trpc.tokens.create.mutate({ name: 'monitoring' })).token;
    expect(await health(t, { Authorization: `Bearer ${rootToken}` })).toEqual({ status: 200, body: idleWorker });

    const bad = await health(t, { Authorization: 'Bearer sf_not-a-real-token' });
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe('invalid_token');
  });
});
