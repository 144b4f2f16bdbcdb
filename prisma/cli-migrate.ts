// `npm run db:migrate`: applies pending migrations to the database named by DATABASE_URL.
import { loadEnv } from '../server/env';
import { migrationsDir } from '../server/paths';
import { applyMigrations } from './migrate';

const env = loadEnv();
const { applied, alreadyApplied } = applyMigrations(env.databasePath, migrationsDir);
console.log(`[migrate] ${env.databasePath}: applied ${applied.length} (${applied.join(', ') || 'none'}), ${alreadyApplied.length} already applied`);
