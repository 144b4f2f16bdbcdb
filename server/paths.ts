// Where the project lives on disk, independent of the process's working directory.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const workflowsDir = path.join(projectRoot, 'workflows');
/** SQLite migrations (the default database). */
export const migrationsDir = path.join(projectRoot, 'prisma', 'migrations');
/** PostgreSQL migrations: the same schema, kept in step by prisma/schema-lockstep.test.ts. */
export const postgresMigrationsDir = path.join(projectRoot, 'prisma', 'migrations-postgres');
