// Remote workers against the real server: a worker process on "another machine" (its own data dir) joins with the
// WORKER_TOKEN, runs graphs with outputs stored by the server, and its run fails clearly when it vanishes;
// a wrong token and a server without remote workers are refused in words. Every process started is stopped.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { projectRoot } from '../paths';
import { fillGraph, slowGraph, startTestServer, tempDir, until, type TestServer } from '../testing/harness';

const TOKEN = 'remote-worker-token-0123456789';
const started: { child: ChildProcess; dir: string }[] = [];
const servers: { t: TestServer; dir: string }[] = [];

interface Proc { child: ChildProcess; output: () => string; exited: Promise<number | null> }

function startWorker(url: string, opts: { token?: string; name?: string } = {}): Proc {
  const dir = tempDir('remote-worker');
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/worker/remote-main.ts', '--server', url, '--name', opts.name ?? 'box-1', '--skip-models'], {
    cwd: projectRoot,
    env: { ...process.env, WORKER_TOKEN: opts.token ?? TOKEN, DATA_DIR: dir, MODELS_DIR: path.join(dir, 'models'), DATABASE_URL: undefined, PORT: undefined },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (b: Buffer) => { output += b.toString(); });
  child.stderr!.on('data', (b: Buffer) => { output += b.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  started.push({ child, dir });
  return { child, output: () => output, exited };
}

async function server(env: Record<string, string>): Promise<TestServer> {
  const dir = tempDir('remote-host');
  const t = await startTestServer(dir, env);
  servers.push({ t, dir });
  return t;
}

interface Health { workers: { id: string; state: string; remote: string | null }[] }
const health = async (t: TestServer) => (await (await fetch(`${t.url}/api/health`)).json()) as Health;

async function finished(t: TestServer, runId: string) {
  return until(async () => {
    const r = await t.trpc.runs.get.query({ runId });
    return ['succeeded', 'failed', 'cancelled'].includes(r.status) ? r : undefined;
  }, `run ${runId}`);
}

afterEach(async () => {
  for (const { child } of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

afterAll(async () => {
  for (const { t, dir } of servers) {
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  for (const { dir } of started) fs.rmSync(dir, { recursive: true, force: true });
});

describe('remote workers', () => {
  it('join with the token, run graphs for the server, and fail their run clearly when they vanish', async () => {
    const t = await server({ WORKERS: '0', WORKER_TOKEN: TOKEN });
    expect((await health(t)).workers).toEqual([]);
    const w = startWorker(t.url, { name: 'gpu box' });
    await until(async () => (await health(t)).workers.find((x) => x.state === 'idle'), 'the remote worker to be ready', 60_000);
    expect((await health(t)).workers).toEqual([expect.objectContaining({ id: 'r1', state: 'idle', remote: 'gpu_box' })]);

    const { runId } = await t.trpc.runs.enqueue.mutate({ graph: fillGraph('#00ff00', 48, 16) });
    const run = await finished(t, runId);
    expect(run.status).toBe('succeeded');
    expect(run.workerId).toBe('r1');
    // The output crossed the network and was stored by the server, like a local worker's.
    const png = Buffer.from(await (await fetch(`${t.url}${run.artifacts.find((a) => a.kind === 'image')!.url}`)).arrayBuffer());
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, ...data.subarray(0, 3)]).toEqual([48, 16, 0, 255, 0]);

    // An image uploaded to the server reaches the remote worker's Load Image (fetched before the run).
    const picture = await sharp({ create: { width: 20, height: 10, channels: 3, background: { r: 9, g: 99, b: 199 } } }).png().toBuffer();
    const up = await t.trpc.inputs.upload.mutate({ name: 'sky.png', base64: picture.toString('base64') });
    const loadRun = await t.trpc.runs.enqueue.mutate({
      graph: {
        version: 1,
        nodes: [
          { id: 'load', type: 'load_image', typeVersion: 1, params: { image: up.name } },
          { id: 'save', type: 'save_image', typeVersion: 1, params: {} },
        ],
        edges: [{ from: { node: 'load', output: 'image' }, to: { node: 'save', input: 'images' } }],
      },
    });
    const loaded = await finished(t, loadRun.runId);
    expect(loaded.error).toBeNull();
    const copy = Buffer.from(await (await fetch(`${t.url}${loaded.artifacts.find((a) => a.kind === 'image')!.url}`)).arrayBuffer());
    expect([...(await sharp(copy).raw().toBuffer()).subarray(0, 3)]).toEqual([9, 99, 199]);
    expect(w.output()).toContain('fetched 1 input image(s) from the server');

    const slow = await t.trpc.runs.enqueue.mutate({ graph: slowGraph() });
    await until(async () => ((await t.trpc.runs.get.query({ runId: slow.runId })).nodes.some((n) => n.id === 'fill') ? true : undefined), 'the slow run to start');
    w.child.kill('SIGKILL');
    const lost = await finished(t, slow.runId);
    expect(lost.status).toBe('failed');
    expect(lost.error).toMatchObject({ code: 'worker_disconnected' });
    expect(lost.error!.message).toMatch(/^remote worker r1 disconnected \(.+\) (while running node \w+ \(\w+\)|before its first node)$/);
    await until(async () => ((await health(t)).workers.length === 0 ? true : undefined), 'the worker to leave the pool');

    // Another worker joins and the queue carries on.
    startWorker(t.url, { name: 'box-2' });
    const again = await t.trpc.runs.enqueue.mutate({ graph: fillGraph('#0000ff') });
    expect((await finished(t, again.runId))).toMatchObject({ status: 'succeeded', workerId: 'r2' });
  }, 120_000);

  it('refuses a wrong token, and says when a server takes no remote workers', async () => {
    const t = await server({ WORKERS: '1', WORKER_TOKEN: TOKEN });
    const wrong = startWorker(t.url, { token: 'not-the-right-token-at-all' });
    expect(await wrong.exited).toBe(1);
    expect(wrong.output()).toContain('refused this WORKER_TOKEN');
    // Without the token nobody gets a socket at all.
    const res = await fetch(`${t.url}/api/workers/socket/?EIO=4&transport=websocket`, { headers: { Authorization: 'Bearer nope' } });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect((await health(t)).workers.map((x) => x.remote)).toEqual([null]);

    const off = await server({ WORKERS: '1' });
    const refused = startWorker(off.url);
    expect(await refused.exited).toBe(1);
    expect(refused.output()).toContain('does not accept remote workers');
  }, 120_000);
});
