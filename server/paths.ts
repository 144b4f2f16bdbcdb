// Where the project lives on disk, independent of the process's working directory.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const workflowsDir = path.join(projectRoot, 'workflows');
export const migrationsDir = path.join(projectRoot, 'prisma', 'migrations');
