// `npm run db:migrate`: applies pending migrations to the database named by DATABASE_URL (SQLite or PostgreSQL).
import { describeDatabaseUrl } from '../server/database-url';
import { loadEnv } from '../server/env';
import { migrateDatabase } from './migrate-database';

const env = loadEnv();
const { applied, alreadyApplied } = await migrateDatabase(env.DATABASE_URL);
console.log(`[migrate] ${env.databasePath ?? describeDatabaseUrl(env.DATABASE_URL)}: applied ${applied.length} (${applied.join(', ') || 'none'}), ${alreadyApplied.length} already applied`);
