// Fault: a web server SIGKILLed while a browser watches a run through it. Two server processes sit behind one URL
// (a TCP proxy standing in for the load balancer); the worker and the browser only know that URL. When the server
// they were talking to dies, the browser's socket reconnects (to the other server), joins the run's room again and
// keeps receiving its previews; the worker's records fail over too; the run finishes with its output.
import fs from 'node:fs';
import path from 'node:path';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { projectRoot } from '../paths';
import { spawnServer, type SpawnedServer } from '../reliability/spawned-server';
import { startTcpProxy, startWorkerProcess, testRedis, type WorkerProcess } from '../testing/cluster';
import { createTestDatabase, type TestDatabase } from '../testing/postgres';
import { recordEvents, tempDir, until, type TestSocket } from '../testing/harness';
import { createTRPCClient } from '@trpc/client';
import { stepflowLinks } from '../../app/lib/trpc-links';
import type { AppRouter } from '../routers';

const redis = testRedis();
const dataDir = tempDir('fault-server-kill');
let db: TestDatabase;
const servers: SpawnedServer[] = [];
let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
let worker: WorkerProcess;
let socket: TestSocket | undefined;

beforeAll(async () => {
  db = await createTestDatabase();
  const env = { ...redis.env, DATABASE_URL: db.url, MODELS_DIR: path.join(projectRoot, 'models'), PREVIEW_FPS: '120' };
  servers.push(await spawnServer(dataDir, env), await spawnServer(dataDir, env));
  proxy = await startTcpProxy(servers.map((s) => Number(new URL(s.url).port)));
  worker = startWorkerProcess(redis, [proxy.url], { name: 'w' });
  await worker.ready;
}, 120_000);

afterAll(async () => {
  socket?.close();
  await worker?.stop();
  await proxy?.close();
  await Promise.all(servers.map((s) => s.stop()));
  await db?.drop();
  await redis.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

it('keeps streaming a watched run to its browser after the server it was on is killed', async () => {
  const trpc = createTRPCClient<AppRouter>({ links: stepflowLinks({ url: `${proxy.url}/api/trpc` }) });
  const graph = JSON.parse(fs.readFileSync(path.join(projectRoot, 'workflows', 'txt2img.json'), 'utf8'));
  graph.nodes.find((n: { id: string }) => n.id === 'sampler').params.steps = 6;
  // Every step pauses, so the run is surely in the middle of its sampling when the server dies.
  const { runId } = await trpc.runs.enqueue.mutate({ graph, debug: { everyStep: true } });

  const s: TestSocket = connect(proxy.url, { transports: ['websocket'], reconnectionDelay: 100, reconnectionDelayMax: 500 });
  socket = s;
  const seen = recordEvents(s);
  let connects = 0;
  // What the editor does (app/lib): (re)join the run's room on every connect.
  s.on('connect', () => {
    connects++;
    s.emit('join', { runId }, () => undefined);
  });
  const pauses = () => seen.filter((e) => e.name === 'run:paused').length;
  await until(() => pauses() >= 1 || undefined, 'the first pause', 60_000);
  await trpc.runs.debug.mutate({ runId, command: 'step' });
  await until(() => pauses() >= 2 || undefined, 'the second pause');

  // The first server is the one the proxy sent everybody to.
  await servers[0].kill();
  await until(() => (connects >= 2 && s.connected ? true : undefined), 'the socket to reconnect through the proxy');
  // Keep stepping through the surviving server: each step's preview must reach the reconnected browser.
  for (let n = 3; n <= 5; n++) {
    await trpc.runs.debug.mutate({ runId, command: 'step' });
    await until(() => pauses() >= n || undefined, `pause ${n} after the failover`, 30_000);
  }
  expect(pauses()).toBe(5);
  await trpc.runs.breakpoints.mutate({ runId, breakpoints: {} });
  await trpc.runs.debug.mutate({ runId, command: 'resume' });
  const finished = await until(() => seen.find((e) => e.name === 'run:finished'), 'run:finished after the failover', 60_000);

  const steps = seen.filter((e) => e.name === 'node:preview').map((e) => (e.payload as { step: number }).step);
  expect(steps.filter((x) => x >= 2)).toEqual([2, 3, 4, 5]);
  const run = await trpc.runs.get.query({ runId });
  expect(run.status).toBe('succeeded');
  const url = (finished.payload as { artifacts: { url: string }[] }).artifacts[0].url;
  expect((await fetch(`${proxy.url}${url}`)).status).toBe(200);
}, 150_000);
