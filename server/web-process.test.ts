// The web server process never loads onnxruntime-node (ARCHITECTURE.md, "Processes"): its sessions run in worker
// processes. Checked on the server's modules imported in a fresh process, and on a real server that ran a model.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { Graph } from '../nodes/engine/graph';
import { projectRoot, workflowsDir } from './paths';
import { spawnServer, type SpawnedServer } from './reliability/spawned-server';
import { runEnded, tempDir } from './testing/harness';
import { childPids, onnxLibraries, type OnnxPresence } from './testing/onnx-presence';

const PROBE = path.join(projectRoot, 'server', 'testing', 'onnx-presence.ts');

/** Imports `files` in a fresh node process and reports what of onnxruntime it then has loaded. */
async function presenceAfterImporting(files: string[]): Promise<OnnxPresence> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', PROBE, ...files], { cwd: projectRoot });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as OnnxPresence;
}

/** What `npm start` loads before it serves: every `await import('…')` of server/main.ts. */
function mainImports(): string[] {
  const source = fs.readFileSync(path.join(projectRoot, 'server', 'main.ts'), 'utf8');
  return [...source.matchAll(/await import\('([^']+)'\)/g)].map((m) => path.join('server', m[1]));
}

describe('modules of the web process', () => {
  it('server/main.ts\'s imports, the app, the routers and the node registry load no onnxruntime', async () => {
    const imports = mainImports();
    expect(imports).toContain(path.join('server', 'app')); // the pattern above still finds main.ts's imports
    const presence = await presenceAfterImporting([...imports, 'server/routers/index.ts', 'nodes/registry.ts']);
    expect(presence).toEqual({ modules: [], libraries: [] });
  });

  it('the probe does see onnxruntime when nodes/runtime/onnx.ts is imported (control)', async () => {
    const presence = await presenceAfterImporting(['server/app.ts', 'nodes/runtime/onnx.ts']);
    expect(presence.modules.some((m) => m.includes(`${path.sep}onnxruntime-node${path.sep}`))).toBe(true);
    expect(presence.libraries.some((f) => path.basename(f).startsWith('libonnxruntime'))).toBe(true);
  });
});

describe('a running server', () => {
  const dataDir = tempDir('web-process');
  let server: SpawnedServer | undefined;

  afterAll(async () => {
    await server?.kill();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** txt2img on the built-in sprites model (its U-Net export is 256x256 only), cut to 2 steps: every model runs, briefly. */
  function smallTxt2img(): Graph {
    const g = JSON.parse(fs.readFileSync(path.join(workflowsDir, 'txt2img.json'), 'utf8')) as Graph;
    Object.assign(g.nodes.find((n) => n.type === 'sampler')!.params, { steps: 2 });
    return g;
  }

  it('after a model run, libonnxruntime is mapped in its worker and not in the server', async () => {
    // The built-in pack (`npm run models`, run before the unit tests); main.ts only checks it when it is up to date.
    server = await spawnServer(dataDir, {
      MODELS_DIR: path.join(projectRoot, 'models'), HOST: '127.0.0.1', AUTH: 'none', WORKERS: '1', NODE_ENV: 'test', PORT: '0',
    }, 'main');
    const { runId } = await server.trpc.runs.enqueue.mutate({ graph: smallTxt2img() });
    const run = await runEnded(server!, runId);
    expect(run.error).toBeNull();
    expect(run.status).toBe('succeeded');

    const workers = childPids(server.pid).filter((pid) => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('entry.ts'));
    expect(workers).toHaveLength(1);
    // The worker's mapping makes the server's empty one meaningful: the same check finds the runtime where it is.
    expect(onnxLibraries(workers[0]).some((f) => path.basename(f).startsWith('libonnxruntime'))).toBe(true);
    expect(onnxLibraries(server.pid)).toEqual([]);

    await server.stop();
    expect(server.groupPids()).toEqual([]);
  }, 180_000);
});
