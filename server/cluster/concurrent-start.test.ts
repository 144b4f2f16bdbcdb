// Two scaled web servers (`npm start`'s main.ts, AUTH=local) started at the same moment on one empty PostgreSQL
// database: migrations are applied once (advisory lock), and the start-up's check-then-create steps run under a
// Redis lock, so there is one admin account and one copy of each shipped workflow, and both servers serve.
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { projectRoot } from '../paths';
import { spawnServer, type SpawnedServer } from '../reliability/spawned-server';
import { testRedis } from '../testing/cluster';
import { createTestDatabase, type TestDatabase } from '../testing/postgres';
import { tempDir } from '../testing/harness';
import { listTemplates } from '../workflow-templates';

const redis = testRedis();
const dir = tempDir('concurrent-start');
let db: TestDatabase | undefined;
const servers: SpawnedServer[] = [];

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await db?.drop();
  await redis.drop();
  fs.rmSync(dir, { recursive: true, force: true });
}, 60_000);

it('seeds the library once and creates one admin when two servers start together', async () => {
  db = await createTestDatabase();
  const env = {
    ...redis.env, DATABASE_URL: db.url, MODELS_DIR: path.join(projectRoot, 'models'),
    AUTH: 'local', ADMIN_USERNAME: 'root', ADMIN_PASSWORD: 'admin-secret-1',
  };
  servers.push(...await Promise.all([spawnServer(dir, env, 'main'), spawnServer(dir, env, 'main')]));
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const users = await client.query('SELECT username, "isAdmin" FROM "User"');
    expect(users.rows).toEqual([{ username: 'root', isAdmin: true }]);
    const names = (await client.query('SELECT name FROM "Workflow" ORDER BY name')).rows.map((r) => r.name);
    expect(names).toEqual(listTemplates().map((t) => t.name).sort());
  } finally {
    await client.end();
  }
  for (const s of servers) expect((await fetch(`${s.url}/api/health`)).status).toBe(200);
}, 120_000);
