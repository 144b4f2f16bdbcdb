// Password guessing against a real server (AUTH=local): attempts are counted before the password is checked, so a
// storm of parallel guesses gets at most the account's 5; a tRPC batch is capped and never carries auth calls; the
// app's own links (app/lib/trpc-links.ts) keep to both rules.
import fs from 'node:fs';
import superjson from 'superjson';
import { createTRPCClient } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepflowLinks } from '../../app/lib/trpc-links';
import type { AppRouter } from '../routers';
import { sessionClient, startTestServer, tempDir, type TestServer } from '../testing/harness';
import { passwordVerifications } from './password';

const PASSWORD = 'victim-password-1';
let t: TestServer;
let dataDir: string;

const JSON_POST = { 'content-type': 'application/json' };

function signIn(username: string, password: string) {
  return fetch(`${t.url}/api/trpc/auth.signIn`, {
    method: 'POST', headers: JSON_POST, body: JSON.stringify(superjson.serialize({ username, password })),
  });
}

/** POST /api/trpc/<p1>,<p2>,…?batch=1 with one input per call (mutations). */
function batch(procedures: string[], inputs: unknown[]) {
  const body = Object.fromEntries(inputs.map((input, i) => [String(i), superjson.serialize(input)]));
  return fetch(`${t.url}/api/trpc/${procedures.join(',')}?batch=1`, { method: 'POST', headers: JSON_POST, body: JSON.stringify(body) });
}

/** GET /api/trpc/<p1>,<p2>,…?batch=1 of queries without input. */
function queryBatch(procedures: string[]) {
  return fetch(`${t.url}/api/trpc/${procedures.join(',')}?batch=1&input=${encodeURIComponent('{}')}`);
}

type ErrorBody = { error: { json: { message: string; data: { code: string; httpStatus: number } } } };

beforeAll(async () => {
  dataDir = tempDir('sign-in-limits');
  t = await startTestServer(dataDir, { AUTH: 'local' });
  await sessionClient(t.url).trpc.auth.signUp.mutate({ username: 'victim', password: PASSWORD });
  await sessionClient(t.url).trpc.auth.signUp.mutate({ username: 'bystander', password: PASSWORD });
}, 60_000);

afterAll(async () => {
  await t?.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('reserve, then verify', () => {
  it('50 parallel wrong sign-ins and a 50-call batch check at most 5 passwords; then the right one is refused too', async () => {
    const before = passwordVerifications();
    const guesses = Array.from({ length: 50 }, (_, i) => signIn('victim', `wrong-guess-${i}`));
    const stuffed = batch(Array(50).fill('auth.signIn'), Array.from({ length: 50 }, (_, i) => ({ username: 'victim', password: `batched-${i}` })));
    const [responses, batched] = await Promise.all([Promise.all(guesses), stuffed]);

    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(45);
    const limited = await responses.find((r) => r.status === 429)!.json() as ErrorBody;
    expect(limited.error.json.data.code).toBe('TOO_MANY_REQUESTS');
    expect(limited.error.json.message).toMatch(/^too many failed sign-ins: wait \d+ s and try again$/);

    expect(batched.status).toBe(400);
    const refused = await batched.json() as ErrorBody[];
    expect(refused).toHaveLength(50);
    expect(refused[0].error.json.message).toBe('a tRPC batch may hold at most 10 calls; this one has 50: send fewer at once');

    expect(passwordVerifications() - before).toBe(5);

    const right = await signIn('victim', PASSWORD);
    expect(right.status).toBe(429);
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(right.headers.getSetCookie()).toEqual([]);
    expect(passwordVerifications() - before).toBe(5);

    // The lock is per account: someone else signs in from the same address.
    expect((await signIn('bystander', PASSWORD)).status).toBe(200);
  });
});

describe('tRPC batches', () => {
  it('are capped at 10 calls, with an error naming the limit', async () => {
    const ten = await queryBatch(Array(10).fill('nodes.catalog'));
    expect(ten.status).toBe(200);
    expect(await ten.json()).toHaveLength(10);
    const eleven = await queryBatch(Array(11).fill('nodes.catalog'));
    expect(eleven.status).toBe(400);
    const body = await eleven.json() as ErrorBody[];
    expect(body.map((b) => b.error.json.data.code)).toEqual(Array(11).fill('BAD_REQUEST'));
    expect(body[0].error.json.message).toBe('a tRPC batch may hold at most 10 calls; this one has 11: send fewer at once');
  });

  it('never carry an auth call, not even a batch of one', async () => {
    const before = passwordVerifications();
    const mixed = await batch(['tokens.create', 'auth.signIn'], [{ name: 'script' }, { username: 'bystander', password: PASSWORD }]);
    expect(mixed.status).toBe(400);
    expect(((await mixed.json()) as ErrorBody[]).map((b) => b.error.json.message))
      .toEqual(Array(2).fill('auth.signIn cannot be batched: send auth.* calls one per request (without ?batch=1)'));
    const query = await queryBatch(['nodes.catalog', 'auth.me']);
    expect(query.status).toBe(400);
    const single = await batch(['auth.signIn'], [{ username: 'bystander', password: PASSWORD }]);
    expect(single.status).toBe(400);
    expect(single.headers.getSetCookie()).toEqual([]);
    expect(passwordVerifications() - before).toBe(0);
  });

  it('the app\'s links send auth calls alone and split other calls into batches of at most 10', async () => {
    const requests: string[] = [];
    const client = createTRPCClient<AppRouter>({
      links: stepflowLinks({
        url: `${t.url}/api/trpc`,
        fetch: (input, init) => {
          requests.push(String(input));
          return fetch(input, init);
        },
      }),
    });
    const [me, signedIn, ...catalogs] = await Promise.all([
      client.auth.me.query(),
      client.auth.signIn.mutate({ username: 'bystander', password: PASSWORD }),
      ...Array.from({ length: 12 }, () => client.nodes.catalog.query()),
    ]);
    expect(me.auth).toBe('local');
    expect(signedIn.user.username).toBe('bystander');
    expect(catalogs).toHaveLength(12);
    const paths = requests.map((u) => new URL(u).pathname.slice('/api/trpc/'.length).split(','));
    const auth = requests.filter((u) => new URL(u).pathname.includes('auth.'));
    expect(auth.map((u) => new URL(u).searchParams.get('batch'))).toEqual([null, null]);
    expect(paths.every((p) => p.length <= 10)).toBe(true);
    expect(paths.flat().filter((p) => p === 'nodes.catalog')).toHaveLength(12);
  });
});
