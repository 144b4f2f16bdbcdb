// A garbled session cookie (`stepflow_session=%zz`, not valid percent-encoding) reads as "signed out" on every
// surface that looks at cookies — tRPC, artifacts, input images, the HTTP API, the socket handshake — never a 500.
import fs from 'node:fs';
import superjson from 'superjson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillGraph, join, sessionClient, startTestServer, tempDir, until, type TestServer } from '../testing/harness';
import { readCookie } from './session';

const BAD = { cookie: 'stepflow_session=%zz' };
let t: TestServer;
let dataDir: string;
let runId: string;
let artifactUrl: string;

beforeAll(async () => {
  dataDir = tempDir('bad-cookie');
  t = await startTestServer(dataDir, { AUTH: 'local' });
  const owner = sessionClient(t.url);
  await owner.trpc.auth.signUp.mutate({ username: 'olive', password: 'olive-password' });
  const w = await owner.trpc.workflows.create.mutate({ name: 'public poster', graph: fillGraph() });
  await owner.trpc.workflows.setVisibility.mutate({ id: w.id, visibility: 'public' });
  ({ runId } = await owner.trpc.runs.enqueue.mutate({ workflowId: w.id }));
  const run = await until(async () => {
    const r = await owner.trpc.runs.get.query({ runId });
    return r.status === 'succeeded' ? r : undefined;
  }, 'the owner\'s run');
  artifactUrl = run.artifacts.find((a) => a.kind === 'image')!.url;
}, 120_000);

afterAll(async () => {
  await t?.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('a malformed session cookie', () => {
  it('is no cookie at all to the parser', () => {
    expect(readCookie('stepflow_session=%zz', 'stepflow_session')).toBeUndefined();
    expect(readCookie('a=%zz; stepflow_session=ab%20cd', 'stepflow_session')).toBe('ab cd');
  });

  it('tRPC: who-am-I answers "nobody" and sign-out still works', async () => {
    const me = await fetch(`${t.url}/api/trpc/auth.me`, { headers: BAD });
    expect(me.status).toBe(200);
    expect((await me.json()).result.data.json).toEqual({ auth: 'local', signup: 'open', user: null });
    const signOut = await fetch(`${t.url}/api/trpc/auth.signOut`, {
      method: 'POST', headers: { ...BAD, 'content-type': 'application/json' }, body: JSON.stringify(superjson.serialize(undefined)),
    });
    expect(signOut.status).toBe(200);
  });

  it('artifacts, input images, HTTP API and health: served as to a visitor', async () => {
    const artifact = await fetch(`${t.url}${artifactUrl}`, { headers: BAD });
    expect([artifact.status, artifact.headers.get('content-type')]).toEqual([200, 'image/png']);
    const input = await fetch(`${t.url}/api/inputs/example.png`, { headers: BAD });
    expect(input.status).toBe(200);
    const run = await fetch(`${t.url}/api/runs/${runId}`, { headers: BAD });
    expect(run.status).toBe(200);
    expect((await run.json()).status).toBe('succeeded');
    expect((await fetch(`${t.url}/api/health`, { headers: BAD })).status).toBe(200);
  });

  it('socket: the handshake connects and joins are judged as a visitor\'s', async () => {
    const s = await t.socket(BAD.cookie);
    // The owner's run of a public workflow: visitors may watch it.
    expect(await join(s, { runId })).toMatchObject({ ok: true, room: `run:${runId}` });
  });
});
