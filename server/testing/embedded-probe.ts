// Run by embedded-alone.test.ts inside a network namespace of its own (no PostgreSQL, no Redis, nothing but
// loopback): starts `npm start`'s server/main.ts, runs the shipped txt2img through tRPC, prints one JSON line.
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../paths';
import { spawnServer } from '../reliability/spawned-server';
import { tempDir } from './harness';

const dataDir = tempDir('embedded-alone');
const server = await spawnServer(dataDir, { MODELS_DIR: path.join(projectRoot, 'models'), REDIS_URL: '', DATABASE_URL: '' }, 'main');
try {
  const graph = JSON.parse(fs.readFileSync(path.join(projectRoot, 'workflows', 'txt2img.json'), 'utf8'));
  graph.nodes.find((n: { id: string }) => n.id === 'sampler').params.steps = 4;
  const { runId } = await server.trpc.runs.enqueue.mutate({ graph });
  let run = await server.trpc.runs.get.query({ runId });
  for (let i = 0; i < 600 && ['queued', 'running'].includes(run.status); i++) {
    await new Promise((r) => setTimeout(r, 100));
    run = await server.trpc.runs.get.query({ runId });
  }
  const library = await server.trpc.workflows.list.query({});
  console.log(JSON.stringify({
    status: run.status, outputs: run.artifacts.filter((a) => a.kind === 'image').length,
    database: fs.existsSync(path.join(dataDir, 'stepflow.db')), seeded: library.length,
  }));
} finally {
  await server.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
