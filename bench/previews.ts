// The cost of watching a run: a 200-step txt2img on the built-in pack through a real server (forked worker),
// alternately watched (a Socket.io client in the workflow's room, as the owner's editor is) and unwatched. The
// figure is the sampler node's own time (NodeResult.ms, which includes waiting for its preview encodes).
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Graph } from '../nodes/engine/graph';
import { projectRoot } from '../server/paths';
import { join, startTestServer, tempDir, until, type TestServer } from '../server/testing/harness';

export interface PreviewBenchResult {
  steps: number;
  rounds: number;
  watchedMs: number[];
  unwatchedMs: number[];
  watchedMedian: number;
  unwatchedMedian: number;
  /** watched / unwatched medians: 1 means watching is free. */
  ratio: number;
  /** Median of each round's watched / unwatched: steadier on a machine others share. */
  pairedRatio: number;
  /** Frames the watching socket received per watched run (median). */
  framesReceived: number;
}

function txt2img(seed: number, steps: number): Graph {
  const g = JSON.parse(fs.readFileSync(path.join(projectRoot, 'workflows', 'txt2img.json'), 'utf8')) as Graph;
  Object.assign(g.nodes.find((n) => n.id === 'sampler')!.params, { seed, steps });
  return g;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function samplerMs(t: TestServer, runId: string): Promise<number> {
  const run = await until(async () => {
    const r = await t.trpc.runs.get.query({ runId });
    return ['succeeded', 'failed', 'cancelled'].includes(r.status) ? r : undefined;
  }, `run ${runId}`, 120_000);
  if (run.status !== 'succeeded') throw new Error(`bench run ${runId} ${run.status}: ${run.error?.message}`);
  const node = run.nodes.find((n) => n.id === 'sampler');
  if (!node || node.cached) throw new Error(`bench run ${runId}: the sampler did not run`);
  return node.ms;
}

/** `rounds` watched + `rounds` unwatched runs, alternating (and which goes first), after one warm-up run of each. */
export async function benchPreviews(rounds = 8, steps = 200): Promise<PreviewBenchResult> {
  const dir = tempDir('bench-previews');
  const t = await startTestServer(dir, { MODELS_DIR: path.join(projectRoot, 'models') });
  try {
    const watchedWf = await t.trpc.workflows.create.mutate({ name: 'watched', graph: txt2img(1, steps) });
    const plainWf = await t.trpc.workflows.create.mutate({ name: 'unwatched', graph: txt2img(1, steps) });
    const sock = await t.socket();
    let frames = 0;
    sock.on('node:preview', () => frames++);
    await join(sock, { workflowId: watchedWf.id });
    const watchedMs: number[] = [];
    const unwatchedMs: number[] = [];
    const framesPerRun: number[] = [];
    let seed = 1000;
    const watched = async () => {
      frames = 0;
      // A new seed every run: the node cache must not answer the sampler.
      const { runId } = await t.trpc.runs.enqueue.mutate({ workflowId: watchedWf.id, graph: txt2img(seed++, steps) });
      const ms = await samplerMs(t, runId);
      // The last frames may still be on their way to the socket when runs.get sees the end.
      await new Promise((r) => setTimeout(r, 100));
      return { ms, frames };
    };
    const unwatched = async () => samplerMs(t, (await t.trpc.runs.enqueue.mutate({ workflowId: plainWf.id, graph: txt2img(seed++, steps) })).runId);
    for (let i = -1; i < rounds; i++) {
      let w: { ms: number; frames: number };
      let u: number;
      if (i % 2) {
        w = await watched();
        u = await unwatched();
      } else {
        u = await unwatched();
        w = await watched();
      }
      if (i < 0) continue; // warm-up: model loads, first JIT
      watchedMs.push(w.ms);
      unwatchedMs.push(u);
      framesPerRun.push(w.frames);
    }
    const watchedMedian = median(watchedMs);
    const unwatchedMedian = median(unwatchedMs);
    return {
      steps, rounds, watchedMs, unwatchedMs, watchedMedian, unwatchedMedian,
      ratio: watchedMedian / unwatchedMedian, pairedRatio: median(watchedMs.map((w, i) => w / unwatchedMs[i])),
      framesReceived: median(framesPerRun),
    };
  } finally {
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// `npx tsx bench/previews.ts [rounds]`: this benchmark alone (npm run bench runs it among the others).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchPreviews(Number(process.argv[2] ?? 8)).then((r) => {
    const ms = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(' ');
    console.log(`watched   ${ms(r.watchedMs)}\nunwatched ${ms(r.unwatchedMs)}`);
    console.log(`median watched ${r.watchedMedian.toFixed(0)} ms, unwatched ${r.unwatchedMedian.toFixed(0)} ms, ratio ${r.ratio.toFixed(3)}, ` +
      `median of pairs ${r.pairedRatio.toFixed(3)}, ${r.framesReceived} frames per watched run`);
    process.exit(0);
  }, (e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
