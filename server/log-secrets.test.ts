// Structured logs of a real `npm start` process (server/main.ts with its worker, AUTH=local, LOG_LEVEL=debug) through
// a whole session — sign-up, run, API token and a run through the HTTP API, share link opened by another user,
// sign-out, admin sign-in: every line is JSON, runs are logged with their runId / workerId / userId, and no password,
// token, share token or session cookie appears anywhere in the output.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Graph } from '../nodes/engine/graph';
import { projectRoot } from './paths';
import { spawnServer, type SpawnedServer } from './reliability/spawned-server';
import { sessionClient, tempDir, until } from './testing/harness';

const ADMIN_PASSWORD = 'admin-pass-Q7v9sLx2';
const CAROL_PASSWORD = 'carol-pass-Zr81kPq4';
const DAVE_PASSWORD = 'dave-pass-Mm3Jd0yw';

let server: SpawnedServer | undefined;
const dir = tempDir('log-secrets');
afterAll(async () => {
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function txt2img(): Graph {
  return JSON.parse(fs.readFileSync(path.join(projectRoot, 'workflows', 'txt2img.json'), 'utf8')) as Graph;
}

describe('structured logs', () => {
  it('a whole session logs JSON lines with run fields and no secret', async () => {
    server = await spawnServer(dir, {
      AUTH: 'local', ADMIN_USERNAME: 'root', ADMIN_PASSWORD, LOG_LEVEL: 'debug', MODELS_DIR: path.join(projectRoot, 'models'),
    }, 'main');
    const url = server.url;
    const carol = sessionClient(url);
    const me = await carol.trpc.auth.signUp.mutate({ username: 'carol', password: CAROL_PASSWORD });
    const wf = await carol.trpc.workflows.create.mutate({ name: 'carol txt2img', graph: txt2img() });
    const done = (runId: string) => until(async () => {
      const r = await carol.trpc.runs.get.query({ runId });
      return r.status === 'succeeded' ? r : undefined;
    }, `run ${runId}`, 90_000);
    const first = await carol.trpc.runs.enqueue.mutate({ workflowId: wf.id });
    await done(first.runId);

    const { token } = await carol.trpc.tokens.create.mutate({ name: 'ci' });
    const api = await fetch(`${url}/api/workflows/${wf.id}/runs`, {
      method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: '{}',
    });
    expect(api.status).toBe(202);
    await done(((await api.json()) as { runId: string }).runId);

    const { shareToken } = await carol.trpc.workflows.setVisibility.mutate({ id: wf.id, visibility: 'link' });
    const dave = sessionClient(url);
    await dave.trpc.auth.signUp.mutate({ username: 'dave', password: DAVE_PASSWORD });
    expect((await dave.trpc.workflows.get.query({ id: wf.id, shareToken: shareToken! })).name).toBe('carol txt2img');
    // A wrong password and a wrong token are logged as refusals, without what was tried.
    await expect(dave.trpc.auth.signIn.mutate({ username: 'carol', password: `${CAROL_PASSWORD}-wrong` })).rejects.toThrow();
    expect((await fetch(`${url}/api/workflows/${wf.id}/runs`, { method: 'POST', headers: { Authorization: `Bearer ${token}x` } })).status).toBe(401);
    await carol.trpc.auth.signOut.mutate();
    const admin = sessionClient(url);
    await admin.trpc.auth.signIn.mutate({ username: 'root', password: ADMIN_PASSWORD });
    await server.stop();

    const output = server.output();
    const lines = output.split('\n').filter((l) => l.trim() !== '');
    // Next's own build/banner lines do not run under NODE_ENV=test; everything else is pino JSON.
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.every((l) => typeof l.level === 'number' && typeof l.time === 'number' && typeof l.msg === 'string')).toBe(true);
    expect(parsed.some((l) => l.name === 'server' && String(l.msg).startsWith('serving http://127.0.0.1:'))).toBe(true);
    expect(parsed.some((l) => l.name === 'worker' && l.workerId === '1')).toBe(false); // a quiet worker says nothing
    expect(parsed.find((l) => l.runId === first.runId)).toMatchObject({ name: 'server', workerId: '1', userId: me.user.id });

    const cookies = [carol, dave, admin].flatMap((c) => c.setCookies.map((s) => s.split(';')[0].split('=')[1]).filter((v) => v && v.length > 8));
    expect(cookies.length).toBeGreaterThan(2);
    for (const secret of [ADMIN_PASSWORD, CAROL_PASSWORD, DAVE_PASSWORD, token, shareToken!, ...cookies]) {
      expect(output.includes(secret), `a secret (${secret.slice(0, 4)}…) is in the log`).toBe(false);
    }
  }, 180_000);
});
