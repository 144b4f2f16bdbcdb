// The retention sweep on a real SQLite database and artifact store: what goes (old finished runs with their rows,
// artifacts beyond the byte cap oldest first, old unused uploads, files no row references) and what never goes
// (unfinished runs, workflow cards, shared files still used, uploads a saved version uses).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { applyMigrations } from '../../prisma/migrate';
import { ArtifactStore } from '../artifacts/store';
import { openDb, type Db } from '../db';
import { migrationsDir } from '../paths';
import { tempDir } from '../testing/harness';
import { DAY_MS } from './policy';
import { sweepRetention } from './sweep';

const dirs: string[] = [];
const dbs: Db[] = [];
let db: Db;
let store: ArtifactStore;
let dataDir: string;
const NOW = Date.UTC(2026, 11, 1);
const daysAgo = (d: number) => new Date(NOW - d * DAY_MS);

beforeEach(async () => {
  dataDir = tempDir('retention');
  dirs.push(dataDir);
  applyMigrations(path.join(dataDir, 'db.sqlite'), migrationsDir);
  db = await openDb(path.join(dataDir, 'db.sqlite'));
  dbs.push(db);
  store = new ArtifactStore(dataDir);
});

afterAll(async () => {
  for (const d of dbs) await d.$disconnect();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

async function run(status: string, age: number, opts: { finished?: boolean } = {}) {
  const at = daysAgo(age);
  const r = await db.run.create({ data: { graph: '{}', status, queuedAt: at, finishedAt: opts.finished === false ? null : at } });
  await db.nodeResult.create({ data: { runId: r.id, nodeId: 'save', type: 'save_image', status: 'succeeded', ms: 1 } });
  return r.id;
}

/** PNG's 8-byte signature then `content`: the store accepts only bytes that start like an image. */
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const pngLike = (content: string) => new Uint8Array([...PNG_SIGNATURE, ...new TextEncoder().encode(content)]);

/** An artifact row whose file holds `content` after the signature (same content = same shared file). */
async function artifact(runId: string, content: string, kind = 'image') {
  const file = await store.put(pngLike(content));
  const row = await db.artifact.create({
    data: { runId, nodeId: 'save', kind, filename: 'out.png', mime: 'image/png', sha256: file.sha256, size: file.size, width: 1, height: 1, path: file.path },
  });
  return { id: row.id, file: store.absolute(file.path) };
}

async function upload(content: string, age: number) {
  const name = `${content.repeat(32).slice(0, 32)}.png`;
  fs.mkdirSync(path.join(dataDir, 'inputs'), { recursive: true });
  fs.writeFileSync(path.join(dataDir, 'inputs', name), 'x'.repeat(10));
  await db.upload.create({ data: { name, originalName: 'a.png', mime: 'image/png', size: 10, width: 1, height: 1, createdAt: daysAgo(age) } });
  return name;
}

describe('sweepRetention', () => {
  it('deletes old finished runs, their rows and unshared files, and old unused uploads — nothing else', async () => {
    const old = await run('succeeded', 40);
    const oldShared = await artifact(old, 'shared by an old and a new run');
    const oldOwn = await artifact(old, 'only the old run');
    const oldFailed = await run('failed', 35);
    const carded = await run('succeeded', 50);
    const card = await artifact(carded, 'the library card');
    const queued = await run('queued', 60, { finished: false });
    const running = await run('running', 60, { finished: false });
    const recent = await run('succeeded', 2);
    const recentShared = await artifact(recent, 'shared by an old and a new run');
    const usedUpload = await upload('a', 90);
    const oldUpload = await upload('b', 90);
    const newUpload = await upload('c', 1);
    const queuedUse = await upload('d', 90);
    await db.run.update({ where: { id: queued }, data: { graph: JSON.stringify({ nodes: [{ params: { image: queuedUse } }] }) } });
    const wf = await db.workflow.create({ data: { name: 'w', currentVersion: 1, thumbnailArtifactId: card.id } });
    await db.workflowVersion.create({ data: { workflowId: wf.id, number: 1, graph: JSON.stringify({ nodes: [{ params: { image: usedUpload } }] }) } });

    const report = await sweepRetention(db, store, { runDays: 30, outputBytes: 0, uploadDays: 30 }, NOW);

    expect(report.runs.sort()).toEqual([old, oldFailed].sort());
    expect(report.artifacts.sort()).toEqual([oldShared.id, oldOwn.id].sort());
    expect(report.uploads).toEqual([oldUpload]);
    expect(report).toMatchObject({ files: 2, bytes: 8 + 'only the old run'.length + 10 });
    expect((await db.run.findMany({ select: { id: true } })).map((r) => r.id).sort()).toEqual([carded, queued, running, recent].sort());
    expect(await db.nodeResult.count({ where: { runId: { in: [old, oldFailed] } } })).toBe(0);
    expect((await db.artifact.findMany({ select: { id: true } })).map((a) => a.id).sort()).toEqual([card.id, recentShared.id].sort());
    expect([oldShared.file, oldOwn.file, card.file].map((f) => fs.existsSync(f))).toEqual([true, false, true]);
    expect((await db.upload.findMany({ select: { name: true } })).map((u) => u.name).sort()).toEqual([usedUpload, newUpload, queuedUse].sort());
    expect(fs.readdirSync(path.join(dataDir, 'inputs')).sort()).toEqual([usedUpload, newUpload, queuedUse].sort());
  });

  it('caps output bytes by removing the oldest finished runs\' artifacts first, keeping the runs and the cards', async () => {
    const oldest = await run('succeeded', 9);
    const card = await artifact(oldest, 'c'.repeat(50));
    await db.workflow.create({ data: { name: 'w', lastOutputArtifactId: card.id } });
    const r1 = await run('succeeded', 8);
    const a1 = await artifact(r1, '1'.repeat(100));
    const r2 = await run('failed', 7);
    const a2 = await artifact(r2, '2'.repeat(100));
    const r3 = await run('succeeded', 6);
    const a3 = await artifact(r3, '3'.repeat(100));
    const live = await run('running', 10, { finished: false });
    const a4 = await artifact(live, '4'.repeat(100));

    // 58 + 4 x 108 = 490 bytes; under 280 once r1's and r2's files are gone (the card and the running run's are not candidates).
    const report = await sweepRetention(db, store, { runDays: 0, outputBytes: 280, uploadDays: 0 }, NOW);

    expect(report).toEqual({ runs: [], artifacts: [a1.id, a2.id], uploads: [], files: 2, bytes: 216 });
    expect((await db.artifact.findMany({ select: { id: true } })).map((a) => a.id).sort()).toEqual([card.id, a3.id, a4.id].sort());
    expect(await db.run.count()).toBe(5);
    expect([card, a1, a2, a3, a4].map((a) => fs.existsSync(a.file))).toEqual([true, false, false, true, true]);
    // Under the cap now: a second sweep deletes nothing.
    expect(await sweepRetention(db, store, { runDays: 0, outputBytes: 280, uploadDays: 0 }, NOW)).toEqual({ runs: [], artifacts: [], uploads: [], files: 0, bytes: 0 });
  });

  it('an upload file shared by several uploaders goes only when every uploader\'s row is old', async () => {
    const shared = await upload('a', 90);
    const alsoOld = await upload('b', 90);
    const users = await Promise.all(['ann', 'bob'].map((username) => db.user.create({ data: { username, passwordHash: 'x' } })));
    // Bob uploaded the same bytes as the first (ownerless) row yesterday; both uploaders of the second did so long ago.
    await db.upload.create({ data: { name: shared, userId: users[1].id, originalName: 'b.png', mime: 'image/png', size: 10, width: 1, height: 1, createdAt: daysAgo(1) } });
    await db.upload.create({ data: { name: alsoOld, userId: users[0].id, originalName: 'c.png', mime: 'image/png', size: 10, width: 1, height: 1, createdAt: daysAgo(60) } });

    const report = await sweepRetention(db, store, { runDays: 0, outputBytes: 0, uploadDays: 30 }, NOW);

    expect(report.uploads).toEqual([alsoOld]);
    expect(await db.upload.count({ where: { name: shared } })).toBe(2);
    expect(await db.upload.count({ where: { name: alsoOld } })).toBe(0);
    expect(fs.readdirSync(path.join(dataDir, 'inputs'))).toEqual([shared]);
  });

  it('keeps everything when every limit is 0 (the default)', async () => {
    const ancient = await run('succeeded', 3650);
    const a = await artifact(ancient, 'old');
    const u = await upload('e', 3650);
    expect(await sweepRetention(db, store, { runDays: 0, outputBytes: 0, uploadDays: 0 }, NOW)).toEqual({ runs: [], artifacts: [], uploads: [], files: 0, bytes: 0 });
    expect([await db.run.count(), await db.artifact.count(), await db.upload.count()]).toEqual([1, 1, 1]);
    expect([fs.existsSync(a.file), fs.existsSync(path.join(dataDir, 'inputs', u))]).toEqual([true, true]);
  });
});
