// Live mode through the real server (embedded: SQLite, one worker, the built-in sprites model, node cache on), driven
// by the editor's own scheduler (app/editor/run/live-runner.ts): a CFG slider dragged for 2 s (a value every 16 ms) and a
// prompt typed at 8 keys a second. Images per second while dragging; keystroke → image latency.
import fs from 'node:fs';
import path from 'node:path';
import { LiveRunner, liveGraph } from '../app/editor/run/live-runner';
import { LIVE_GATHER_MS } from '../app/editor/run/useLiveMode';
import type { Graph } from '../nodes/engine/graph';
import { projectRoot } from '../server/paths';
import { startTestServer, tempDir } from '../server/testing/harness';

export interface LiveResult {
  dragImagesPerSecond: number;
  dragRuns: number;
  dragChanges: number;
  keystrokes: number;
  keyRuns: number;
  keyP50: number;
  keyP90: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function benchLive(): Promise<LiveResult> {
  const dir = tempDir('bench-live');
  const t = await startTestServer(dir, { MODELS_DIR: path.join(projectRoot, 'models') });
  try {
    const base = JSON.parse(fs.readFileSync(path.join(projectRoot, 'workflows', 'txt2img.json'), 'utf8')) as Graph;
    const wf = await t.trpc.workflows.create.mutate({ name: 'live', graph: base });
    // Run ends as the server records them (no socket: a watched run would also stream previews).
    const ended = new Map<string, { at: number; status: string }>();
    // Every live run in order, with the prompt length it carried (to find the first image that includes a keystroke).
    const runs: { runId: string; prefix: number }[] = [];
    // No `cancel`: on this idle server a live run starts at once, so none is ever superseded while waiting.
    const runner = new LiveRunner<Graph>({
      gatherMs: LIVE_GATHER_MS,
      enqueue: async (graph) => {
        const { runId } = await t.trpc.runs.enqueue.mutate({ workflowId: wf.id, graph });
        runs.push({ runId, prefix: String(graph.nodes.find((n) => n.id === 'positive')!.params.text).length });
        return runId;
      },
    });
    const metrics = t.server.services.metrics;
    const runEnded = metrics.runEnded.bind(metrics);
    metrics.runEnded = (run) => {
      runEnded(run);
      const row = run as typeof run & { id: string; status: string };
      ended.set(row.id, { at: performance.now(), status: row.status });
      runner.ended(row.id);
    };
    const edit = (patch: (g: Graph) => void) => {
      const g = structuredClone(base);
      patch(g);
      runner.change(liveGraph(g));
    };
    const settle = async () => {
      for (;;) {
        await sleep(50);
        if (!runner.running) {
          await sleep(LIVE_GATHER_MS + 100);
          if (!runner.running) return;
        }
      }
    };
    // Warm-up: models loaded, prompts encoded.
    edit(() => undefined);
    await settle();

    const before = runs.length;
    const dragStart = performance.now();
    let changes = 0;
    for (let cfg = 3; performance.now() - dragStart < 2000; cfg += 0.05, changes++) {
      edit((g) => { g.nodes.find((n) => n.id === 'sampler')!.params.cfg = Math.round(cfg * 100) / 100; });
      await sleep(16);
    }
    const dragEnd = performance.now();
    await settle();
    const dragImages = runs.slice(before).map((r) => ended.get(r.runId)).filter((e) => e?.status === 'succeeded' && e.at <= dragEnd).length;

    const text = 'yellow triangle on black background';
    const keyTimes: number[] = [];
    const typingFrom = runs.length;
    for (let i = 1; i <= text.length; i++) {
      keyTimes.push(performance.now());
      edit((g) => {
        g.nodes.find((n) => n.id === 'positive')!.params.text = text.slice(0, i);
        g.nodes.find((n) => n.id === 'sampler')!.params.cfg = 12;
      });
      await sleep(125);
    }
    await settle();
    const latencies = keyTimes.map((at, i) => {
      const first = runs.slice(typingFrom).filter((r) => r.prefix >= i + 1 && ended.get(r.runId)?.status === 'succeeded').map((r) => ended.get(r.runId)!.at).sort((a, b) => a - b)[0];
      return first - at;
    }).sort((a, b) => a - b);
    runner.stop();
    return {
      dragImagesPerSecond: dragImages / ((dragEnd - dragStart) / 1000), dragRuns: dragImages, dragChanges: changes,
      keystrokes: text.length, keyRuns: runs.length - typingFrom,
      keyP50: latencies[Math.floor(latencies.length / 2)], keyP90: latencies[Math.floor(latencies.length * 0.9)],
    };
  } finally {
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
