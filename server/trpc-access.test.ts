// Every tRPC procedure declares what it requires in its builder (server/trpc.ts, meta.access). This table is the
// reviewed list: a new procedure without a requirement, or one whose requirement changes, fails here until the
// table says so. The builders themselves are exercised against a real server by the auth/*.test.ts files.
import fs from 'node:fs';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter, createCaller } from './routers';
import { startTestServer, tempDir, type TestServer } from './testing/harness';
import type { ProcedureAccess } from './trpc';

const EXPECTED: Record<string, ProcedureAccess> = {
  'auth.me': 'public',
  'auth.signUp': 'public',
  'auth.signIn': 'public',
  'auth.changePassword': 'signedIn',
  'auth.signOut': 'public',
  'admin.users': 'admin',
  'admin.createUser': 'admin',
  'admin.resetPassword': 'admin',
  'admin.setAdmin': 'admin',
  'admin.deleteUser': 'admin',
  'nodes.catalog': 'public',
  'models.list': 'public',
  'models.exists': 'public',
  'models.loraFit': 'public',
  'workflows.list': 'signedIn',
  'workflows.explore': 'public',
  'workflows.shared': 'public',
  'workflows.templates': 'public',
  'workflows.get': 'workflowViewer',
  'workflows.setTags': 'workflowOwner',
  'workflows.create': 'signedIn',
  'workflows.save': 'workflowOwner',
  'workflows.rename': 'workflowOwner',
  'workflows.delete': 'workflowOwner',
  'workflows.versions': 'workflowViewer',
  'workflows.restore': 'workflowOwner',
  'workflows.import': 'signedIn',
  'workflows.duplicate': 'workflowOwner',
  'workflows.fork': 'signedInWorkflowViewer',
  'workflows.setVisibility': 'workflowOwner',
  'workflows.regenerateShareLink': 'workflowOwner',
  'workflows.revokeShareLink': 'workflowOwner',
  'subgraphs.list': 'signedIn',
  'subgraphs.get': 'signedIn',
  'subgraphs.save': 'signedIn',
  'subgraphs.rename': 'signedIn',
  'subgraphs.delete': 'signedIn',
  'subgraphs.setVisibility': 'signedIn',
  'runs.enqueue': 'runner',
  'runs.cancel': 'runController',
  'runs.cancelQueued': 'signedIn',
  'runs.cancelBatch': 'signedIn',
  'runs.debug': 'runController',
  'runs.breakpoints': 'runController',
  'runs.get': 'runViewer',
  'runs.rate': 'runViewer',
  'runs.ratings': 'runViewer',
  'runs.steps': 'runViewer',
  'runs.stepNodes': 'runViewer',
  'runs.list': 'signedIn',
  'gallery.list': 'signedIn',
  'inputs.upload': 'signedIn',
  'inputs.list': 'signedIn',
  'tokens.list': 'signedIn',
  'monitor.summary': 'operator',
  'tokens.create': 'signedIn',
  'tokens.revoke': 'signedIn',
};

const procedures = appRouter._def.procedures as unknown as Record<string, { _def: { type: string; meta?: { access?: ProcedureAccess } } }>;

/** What an anonymous caller gets from a procedure of each kind, for an id that does not exist (AUTH=local). */
const ANONYMOUS: Record<ProcedureAccess, string> = {
  public: 'not checked',
  signedIn: 'UNAUTHORIZED',
  admin: 'UNAUTHORIZED',
  operator: 'UNAUTHORIZED',
  workflowOwner: 'UNAUTHORIZED',
  signedInWorkflowViewer: 'UNAUTHORIZED',
  runner: 'UNAUTHORIZED',
  // May be anonymous (link viewers): an unknown id is simply not found.
  workflowViewer: 'NOT_FOUND',
  runViewer: 'NOT_FOUND',
  runController: 'NOT_FOUND',
};

let t: TestServer;
let dataDir: string;
beforeAll(async () => {
  dataDir = tempDir('procedure-access');
  t = await startTestServer(dataDir, { AUTH: 'local' });
}, 60_000);
afterAll(async () => {
  await t?.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('procedure access', () => {
  it('every procedure of the appRouter declares its requirement, as in the reviewed table', () => {
    const declared = Object.fromEntries(Object.entries(procedures).map(([path, p]) => [path, p._def.meta?.access ?? 'NONE DECLARED']));
    expect(Object.entries(declared).filter(([, access]) => access === 'NONE DECLARED')).toEqual([]);
    expect(declared).toEqual(EXPECTED);
  });

  it('each builder enforces what it declares: an anonymous caller is refused before the procedure runs', async () => {
    const anonymous = createCaller({ ...t.server.services, viewer: { enforced: true, user: null } }) as unknown as Record<string, Record<string, (input: unknown) => Promise<unknown>>>;
    const outcomes: Record<string, string> = {};
    const expected: Record<string, string> = {};
    for (const [path, p] of Object.entries(procedures)) {
      const access = p._def.meta!.access!;
      if (access === 'public') continue;
      const [router, name] = path.split('.');
      try {
        await anonymous[router][name]({ id: 'no-such-id', runId: 'no-such-id' });
        outcomes[path] = 'ok';
      } catch (e) {
        outcomes[path] = e instanceof TRPCError ? e.code : String(e);
      }
      expected[path] = ANONYMOUS[access];
    }
    expect(outcomes).toEqual(expected);
  });
});
