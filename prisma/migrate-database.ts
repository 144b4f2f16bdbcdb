// The one migration entry point (server start-up, `npm run db:migrate`, seeding): picks the runner by DATABASE_URL.
import { databaseKind, DATABASE_URL_HINT, sqliteFilePath } from '../server/database-url';
import { migrationsDir, postgresMigrationsDir } from '../server/paths';
import { applyMigrations, type MigrateResult } from './migrate';
import { applyPostgresMigrations } from './migrate-postgres';

export interface MigrationDirs {
  sqlite: string;
  postgres: string;
}

export const defaultMigrationDirs: MigrationDirs = { sqlite: migrationsDir, postgres: postgresMigrationsDir };

/** Applies the pending migrations of the database a DATABASE_URL names (file:… or postgresql://…). */
export async function migrateDatabase(url: string, dirs: MigrationDirs = defaultMigrationDirs): Promise<MigrateResult> {
  switch (databaseKind(url)) {
    case 'sqlite': return applyMigrations(sqliteFilePath(url), dirs.sqlite);
    case 'postgres': return applyPostgresMigrations(url, dirs.postgres);
    default: throw new Error(DATABASE_URL_HINT);
  }
}
