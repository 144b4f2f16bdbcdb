// The whole server on PostgreSQL (DATABASE_URL=postgresql://…): migrations at start, the library, a real run through a
// worker process, the raw thumbnail and tag updates, a restart, and accounts; rows checked in the database itself.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spritesCheckpointPart } from '../nodes/pack/checkpoint';
import { ensurePack } from '../nodes/pack/generate';
import { listMigrations } from '../prisma/migrate';
import type { Db } from './db';
import { projectRoot } from './paths';
import { sweepRetention } from './retention/sweep';
import { fillGraph, join, sessionClient, startTestServer, tempDir, until, type TestServer } from './testing/harness';
import { createTestDatabase, type TestDatabase } from './testing/postgres';


/** Workflows whose names, descriptions and tags differ in case from the searches below. */
const LIBRARY = [
  { name: 'Portrait Studio', description: 'Soft LIGHT for faces', tags: ['portrait', 'sdxl'] },
  { name: 'pixel art sprites', description: 'Retro game look', tags: ['pixel art', '8bit'] },
  { name: 'Landscape', description: 'Mountains at dawn, portrait orientation', tags: ['nature'] },
  { name: 'Été à Paris', description: 'ÉTÉ', tags: [] },
];
const SEARCHES = ['portrait', 'PORTRAIT', 'Light', 'PIXEL ART', '"Pixel Art"', '#SDXL', 'tag:PIX', '#portrait', 'été', 'ÉTÉ', 'nothing like this'];

async function searchResults(t: TestServer): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const query of SEARCHES) out[query] = (await t.trpc.workflows.list.query({ query })).map((w) => w.name).sort();
  return out;
}

async function fillLibrary(t: TestServer): Promise<void> {
  for (const w of LIBRARY) {
    const { id } = await t.trpc.workflows.create.mutate({ name: w.name, description: w.description, graph: fillGraph() });
    if (w.tags.length) await t.trpc.workflows.setTags.mutate({ id, tags: w.tags });
  }
}

async function finished(t: TestServer, runId: string, viewer = t.trpc) {
  return until(async () => {
    const r = await viewer.runs.get.query({ runId });
    return ['succeeded', 'failed', 'cancelled', 'interrupted'].includes(r.status) ? r : undefined;
  }, `run ${runId}`, 90_000);
}

describe('StepFlow on PostgreSQL', () => {
  let database: TestDatabase;
  let dataDir: string;
  let t: TestServer;
  let logs: string[] = [];
  const start = (env: Record<string, string> = {}) => {
    logs = [];
    return startTestServer(dataDir, { DATABASE_URL: database.url, ...env }, (m) => logs.push(m));
  };
  const db = (): Db => t.server.services.db;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = tempDir('postgres');
    // The built-in sprites checkpoint (under a second to make) for the shipped txt2img workflow.
    await ensurePack(path.join(dataDir, 'models'), { parts: [spritesCheckpointPart] });
    t = await start();
  });

  afterAll(async () => {
    await t?.close();
    await database?.drop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('applies the PostgreSQL migrations at start and works on that database, with no SQLite file made', async () => {
    const all = listMigrations(path.join(projectRoot, 'prisma', 'migrations-postgres'));
    expect(all[0]).toBe('20260201000000_init');
    expect(logs).toContain(`database postgresql://postgres@127.0.0.1:5432/${database.name}: applied ${all.join(', ')}`);
    expect(await db().$queryRaw`SELECT current_database() AS name`).toEqual([{ name: database.name }]);
    const migrations = await db().$queryRaw<{ migration_name: string; applied_steps_count: number; done: boolean }[]>`
      SELECT migration_name, applied_steps_count, finished_at IS NOT NULL AS done FROM _prisma_migrations`;
    expect(migrations).toEqual(all.map((name) => ({ migration_name: name, applied_steps_count: 1, done: true })));
    expect(fs.readdirSync(dataDir).filter((f) => f.includes('.db'))).toEqual([]);
  });

  it('creates workflows and saves versions; saves sent at once get consecutive numbers', async () => {
    const wf = await t.trpc.workflows.create.mutate({ name: 'Versions', graph: fillGraph('#00ff00') });
    const created = await db().workflow.findUniqueOrThrow({ where: { id: wf.id } });
    await new Promise((r) => setTimeout(r, 5));
    const saved = await Promise.all([1, 2, 3].map((i) => t.trpc.workflows.save.mutate({ id: wf.id, graph: fillGraph(`#00ff0${i}`), message: `save ${i}` })));
    expect(saved.map((s) => s.version).sort()).toEqual([2, 3, 4]);
    const rows = await db().workflowVersion.findMany({ where: { workflowId: wf.id }, orderBy: { number: 'asc' }, select: { number: true, message: true, graph: true } });
    expect(rows.map((r) => r.number)).toEqual([1, 2, 3, 4]);
    expect(rows[0].message).toBe('created');
    expect(new Set(rows.slice(1).map((r) => r.message))).toEqual(new Set(['save 1', 'save 2', 'save 3']));
    expect(JSON.parse(rows[3].graph).nodes[0].params.color).toMatch(/^#00ff0[123]$/);
    const after = await db().workflow.findUniqueOrThrow({ where: { id: wf.id } });
    expect(after.currentVersion).toBe(4);
    // A save is an edit: the library order (updatedAt) moves.
    expect(after.updatedAt.getTime()).toBeGreaterThan(created.updatedAt.getTime());
    expect((await t.trpc.workflows.versions.query({ id: wf.id })).map((v) => v.number)).toEqual([4, 3, 2, 1]);
  });

  it('searches the library case-insensitively with the same results as on SQLite, and sets tags without moving updatedAt', async () => {
    await fillLibrary(t);
    const onPostgres = await searchResults(t);
    expect(onPostgres.PORTRAIT).toEqual(['Landscape', 'Portrait Studio']);
    expect(onPostgres['#SDXL']).toEqual(['Portrait Studio']);
    expect(onPostgres['tag:PIX']).toEqual(['pixel art sprites']);
    expect(onPostgres['ÉTÉ']).toEqual(['Été à Paris']);

    const sqliteDir = tempDir('postgres-vs-sqlite');
    const sqlite = await startTestServer(sqliteDir, { WORKERS: '0', WORKER_TOKEN: 'x'.repeat(32) });
    try {
      await fillLibrary(sqlite);
      expect(onPostgres).toEqual(await searchResults(sqlite));
    } finally {
      await sqlite.close();
      fs.rmSync(sqliteDir, { recursive: true, force: true });
    }

    const w = await db().workflow.findFirstOrThrow({ where: { name: 'Landscape' } });
    await t.trpc.workflows.setTags.mutate({ id: w.id, tags: ['Nature', '#Mountains'] });
    const after = await db().workflow.findUniqueOrThrow({ where: { id: w.id } });
    expect(after.tags).toBe('["nature","mountains"]');
    expect(after.updatedAt).toEqual(w.updatedAt);
  });

  it('runs a shipped workflow through a worker to succeeded, storing node results, artifacts and the library thumbnail', async () => {
    const wf = await t.trpc.workflows.create.mutate({ name: 'Image ops', templateFile: 'image-ops.json' });
    const before = await db().workflow.findUniqueOrThrow({ where: { id: wf.id } });
    const { runId } = await t.trpc.runs.enqueue.mutate({ workflowId: wf.id });
    const run = await finished(t, runId);
    expect(run.error).toBeNull();
    expect(run.status).toBe('succeeded');

    const row = await db().run.findUniqueOrThrow({ where: { id: runId }, include: { nodeResults: true, artifacts: true } });
    expect(row).toMatchObject({ status: 'succeeded', workflowId: wf.id, workflowVersion: 1, workerId: '1', userId: null, requeues: 0 });
    expect(row.totalMs).toBeGreaterThan(0);
    expect(row.finishedAt!.getTime()).toBeGreaterThanOrEqual(row.startedAt!.getTime());
    expect(row.nodeResults.map((n) => [n.nodeId, n.status]).sort()).toEqual(
      ['background', 'image', 'place', 'resize', 'save', 'square', 'stamp'].map((id) => [id, 'succeeded']));
    expect(row.artifacts.map((a) => a.kind).sort()).toEqual(['image', 'thumbnail']);
    const image = row.artifacts.find((a) => a.kind === 'image')!;
    const thumb = row.artifacts.find((a) => a.kind === 'thumbnail')!;
    expect(image).toMatchObject({ nodeId: 'save', mime: 'image/png', width: 512, height: 512 });
    expect(fs.statSync(path.join(dataDir, image.path)).size).toBe(image.size);

    // The raw UPDATE with IS NOT DISTINCT FROM: AUTH=none, owner and run user both null.
    const after = await db().workflow.findUniqueOrThrow({ where: { id: wf.id } });
    expect(after).toMatchObject({ lastOutputArtifactId: image.id, thumbnailArtifactId: thumb.id, updatedAt: before.updatedAt });
    const res = await fetch(`${t.url}/api/artifacts/${thumb.id}`);
    expect([res.status, res.headers.get('content-type')]).toEqual([200, 'image/webp']);
  });

  it('runs the shipped txt2img on the built-in model, storing every step with its sampler stats for a watcher', async () => {
    const wf = await t.trpc.workflows.create.mutate({ name: 'Sprites', templateFile: 'txt2img.json' });
    const sock = await t.socket();
    await join(sock, { workflowId: wf.id });
    const run = await finished(t, (await t.trpc.runs.enqueue.mutate({ workflowId: wf.id })).runId);
    expect(run.error).toBeNull();
    const sampler = run.graph.nodes.find((n) => n.type === 'sampler')!;
    const steps = sampler.params.steps as number;
    const timeline = await t.trpc.runs.steps.query({ runId: run.id, nodeId: sampler.id });
    expect(timeline.map((s) => s.step)).toEqual(Array.from({ length: steps }, (_, i) => i));
    expect(timeline[0]).toMatchObject({ total: steps, sigma: expect.any(Number) });
    expect(timeline[0].stats.length).toBeGreaterThan(0);
  });

  it('applies nothing on a second start and finds everything stored by the first', async () => {
    const runs = await db().run.count();
    await t.close();
    t = await start();
    expect(logs.filter((l) => l.includes('applied'))).toEqual([]);
    expect(await db().$queryRaw`SELECT count(*)::int AS n FROM _prisma_migrations`).toEqual([{ n: listMigrations(path.join(projectRoot, 'prisma', 'migrations-postgres')).length }]);
    expect((await t.trpc.workflows.list.query()).map((w) => w.name)).toEqual(expect.arrayContaining(['Image ops', 'Versions', ...LIBRARY.map((w) => w.name)]));
    expect((await t.trpc.runs.list.query({})).items.map((r) => r.status)).toEqual(Array(runs).fill('succeeded'));
  });

  it('sweeps retention on PostgreSQL: an old run goes with its rows, runs holding a library card stay', async () => {
    // A run of a bare graph (no workflow, so no card) with a colour no other run made: its file is its own.
    const loose = await finished(t, (await t.trpc.runs.enqueue.mutate({ graph: fillGraph('#123456', 40, 24) })).runId);
    const carded = await db().run.findMany({ where: { artifacts: { some: { kind: 'thumbnail' } } }, select: { id: true } });
    expect(carded.length).toBeGreaterThanOrEqual(2);
    const before = await db().run.count();
    const report = await sweepRetention(db(), t.server.services.artifacts, { runDays: 1, outputBytes: 0, uploadDays: 0 }, Date.now() + 2 * 86_400_000);
    expect(report.runs).toContain(loose.id);
    for (const r of carded) expect(report.runs).not.toContain(r.id);
    expect(report.files).toBeGreaterThanOrEqual(1);
    expect(await db().run.count()).toBe(before - report.runs.length);
    expect(await db().artifact.count({ where: { runId: loose.id } })).toBe(0);
    expect(await db().nodeResult.count({ where: { runId: loose.id } })).toBe(0);
  });

  it('keeps accounts (AUTH=local): sign-up, sign-in, sessions, and thumbnails only from the owner\'s runs', async () => {
    await t.close();
    t = await start({ AUTH: 'local', ADMIN_USERNAME: 'root', ADMIN_PASSWORD: 'admin-secret-1' });
    const [ann, bob] = [sessionClient(t.url), sessionClient(t.url)];
    await ann.trpc.auth.signUp.mutate({ username: 'Ann', password: 'ann-password' });
    await bob.trpc.auth.signUp.mutate({ username: 'bob', password: 'bob-password' });
    await ann.trpc.auth.signOut.mutate();
    expect((await ann.trpc.auth.signIn.mutate({ username: 'ANN', password: 'ann-password' })).user.username).toBe('ann');
    const users = await db().user.findMany({ orderBy: { username: 'asc' }, select: { id: true, username: true, isAdmin: true, sessions: { select: { expiresAt: true } } } });
    expect(users.map((u) => [u.username, u.isAdmin, u.sessions.length])).toEqual([['ann', false, 1], ['bob', false, 1], ['root', true, 0]]);
    expect(users[0].sessions[0].expiresAt.getTime()).toBeGreaterThan(Date.now());

    const wf = await ann.trpc.workflows.create.mutate({ name: 'Ann red', graph: fillGraph('#ff0000') });
    const own = await finished(t, (await ann.trpc.runs.enqueue.mutate({ workflowId: wf.id })).runId, ann.trpc);
    const annThumb = await db().artifact.findFirstOrThrow({ where: { runId: own.id, kind: 'thumbnail' } });
    expect(await db().workflow.findUniqueOrThrow({ where: { id: wf.id }, select: { thumbnailArtifactId: true } })).toEqual({ thumbnailArtifactId: annThumb.id });

    await ann.trpc.workflows.setVisibility.mutate({ id: wf.id, visibility: 'public' });
    const other = await finished(t, (await bob.trpc.runs.enqueue.mutate({ workflowId: wf.id })).runId, bob.trpc);
    expect(other.status).toBe('succeeded');
    const [annId, bobId] = [users[0].id, users[1].id];
    expect(await db().run.findUniqueOrThrow({ where: { id: other.id }, select: { userId: true } })).toEqual({ userId: bobId });
    expect(await db().artifact.count({ where: { runId: other.id, kind: 'image' } })).toBe(1);
    // Bob's output stays his: ann's card keeps her own thumbnail (owner ann IS DISTINCT FROM run user bob).
    expect(await db().workflow.findUniqueOrThrow({ where: { id: wf.id }, select: { thumbnailArtifactId: true, ownerId: true } }))
      .toEqual({ thumbnailArtifactId: annThumb.id, ownerId: annId });
  });
});
