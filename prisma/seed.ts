// Seeds the library with the shipped example workflows (workflows/*.json) when it has never held any.
// Runs on every server start (a no-op after the first) and as `npm run db:seed`.
import { pathToFileURL } from 'node:url';
import { graphSchema } from '../nodes/engine/graph';
import type { Db } from '../server/db';
import { listTemplates, readTemplateGraph } from '../server/workflow-templates';
import { createWorkflow } from '../server/workflow-store';

/** Creates one workflow per template when the Workflow table is empty (deleted rows count: no re-seeding). */
export async function seedLibrary(db: Db, opts: { force?: boolean } = {}): Promise<string[]> {
  if (!opts.force && (await db.workflow.count()) > 0) return [];
  const created: string[] = [];
  for (const t of listTemplates()) {
    const parsed = graphSchema.safeParse(readTemplateGraph(t.file));
    if (!parsed.success) continue;
    await createWorkflow(db, { name: t.name, description: t.description, graph: parsed.data, message: `from template ${t.file}` });
    created.push(t.name);
  }
  return created;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { loadEnv } = await import('../server/env');
  const { openDatabase } = await import('../server/db');
  const { migrateDatabase } = await import('./migrate-database');
  const env = loadEnv();
  await migrateDatabase(env.DATABASE_URL);
  const db = await openDatabase(env.DATABASE_URL);
  const names = await seedLibrary(db, { force: process.argv.includes('--force') });
  console.log(names.length ? `[seed] created: ${names.join(', ')}` : '[seed] library already has workflows (use --force to add the templates again)');
  await db.$disconnect();
}
