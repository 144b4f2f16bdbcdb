// Throw-away PostgreSQL databases for tests: each test file creates its own (sf_<random hex>) and drops it after.
// The server is TEST_POSTGRES_URL (a URL whose user may CREATE DATABASE), by default the local trust-auth one, which
// every machine this project is tested on runs (.ci/run starts it if it stopped): no PostgreSQL is a failure, not a skip.
import crypto from 'node:crypto';
import pg from 'pg';

const DEFAULT_ADMIN_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  /** postgresql://… of the new, empty database. */
  url: string;
  name: string;
  /** Drops the database, closing whatever connections are still open on it. */
  drop(): Promise<void>;
}

function adminUrl(): string {
  return process.env.TEST_POSTGRES_URL || DEFAULT_ADMIN_URL;
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl(), connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  // Hex only: safe to quote into DDL, which takes no parameters.
  const name = `sf_${crypto.randomBytes(8).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    name,
    async drop() {
      if (dropped) return;
      dropped = true;
      await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}
