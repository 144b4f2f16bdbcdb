// Executor overhead: total run time against the time spent inside node execute() calls.
import fs from 'node:fs';
import path from 'node:path';
import { Executor } from '../nodes/engine/executor';
import { OnnxRuntime } from '../nodes/runtime/onnx';
import { ModelStore } from '../nodes/runtime/models';
import { InputStore } from '../nodes/runtime/inputs';
import { defaultInputDirs, defaultModelsDir, WORKFLOWS_DIR } from '../nodes/paths';

export interface OverheadRow {
  name: string;
  runs: number;
  totalMs: number;
  nodeMs: number;
  ortMs: number;
  /** totalMs / nodeMs: 1.00 means the engine adds nothing around the nodes. */
  overhead: number;
  /** totalMs / ortMs where a graph runs models, else undefined. */
  ortRatio?: number;
  /** Median ms and ORT ms per node. */
  nodes: { id: string; ms: number; ortMs: number }[];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Runs each workflow `runs` times uncached (cache budget 0) and reports medians. */
export async function benchWorkflows(files: string[], runs = 5): Promise<OverheadRow[]> {
  const runtime = new OnnxRuntime({ provider: 'cpu', budgetBytes: 4 * 1024 ** 3, onWarning: () => undefined });
  const executor = new Executor({
    runtime, models: new ModelStore(defaultModelsDir()), inputs: new InputStore(defaultInputDirs()), cacheBytes: 0,
  });
  const rows: OverheadRow[] = [];
  try {
    for (const file of files) {
      const graph = JSON.parse(fs.readFileSync(path.join(WORKFLOWS_DIR, file), 'utf8'));
      const totals: number[] = [], nodes: number[] = [], orts: number[] = [];
      const perNode = new Map<string, { ms: number[]; ortMs: number[] }>();
      // One warm-up run loads sessions and JIT-compiles the hot paths.
      for (let i = 0; i <= runs; i++) {
        const r = await executor.run(graph, { runId: `bench-${i}` });
        if (r.status !== 'succeeded') throw new Error(`${file}: ${r.error?.code} ${r.error?.message}`);
        if (i === 0) continue;
        totals.push(r.totalMs);
        nodes.push(r.nodes.reduce((n, x) => n + x.ms, 0));
        orts.push(r.ortMs);
        for (const n of r.nodes) {
          const e = perNode.get(n.id) ?? { ms: [], ortMs: [] };
          e.ms.push(n.ms);
          e.ortMs.push(n.ortMs);
          perNode.set(n.id, e);
        }
      }
      const totalMs = median(totals), nodeMs = median(nodes), ortMs = median(orts);
      rows.push({
        name: file, runs, totalMs, nodeMs, ortMs, overhead: totalMs / nodeMs, ortRatio: ortMs > 0 ? totalMs / ortMs : undefined,
        nodes: [...perNode].map(([id, e]) => ({ id, ms: median(e.ms), ortMs: median(e.ortMs) })),
      });
    }
  } finally {
    await runtime.dispose();
  }
  return rows;
}

/** A 2 000-node chain of cheap nodes: the per-node cost of validation, keys and events. */
export async function benchChain(n = 2000): Promise<{ nodes: number; totalMs: number; nodeMs: number; perNodeUs: number }> {
  const nodes = [{ id: 'c', type: 'solid_color', params: { width: 8, height: 8 } }];
  const edges = [];
  for (let i = 0; i < n; i++) {
    nodes.push({ id: `p${i}`, type: 'composite', params: { x: i % 4 } as never });
    edges.push({ from: { node: 'c', output: 'image' }, to: { node: `p${i}`, input: 'overlay' } });
    edges.push({ from: { node: i ? `p${i - 1}` : 'c', output: 'image' }, to: { node: `p${i}`, input: 'base' } });
  }
  nodes.push({ id: 'save', type: 'save_image', params: {} as never });
  edges.push({ from: { node: `p${n - 1}`, output: 'image' }, to: { node: 'save', input: 'images' } });
  const runtime = new OnnxRuntime({ provider: 'cpu', budgetBytes: 1024 ** 3, onWarning: () => undefined });
  const executor = new Executor({ runtime, models: new ModelStore(defaultModelsDir()), inputs: new InputStore([]), cacheBytes: 0 });
  const r = await executor.run({ nodes, edges }, { runId: 'chain' });
  await runtime.dispose();
  const nodeMs = r.nodes.reduce((s, x) => s + x.ms, 0);
  return { nodes: n + 2, totalMs: r.totalMs, nodeMs, perNodeUs: ((r.totalMs - nodeMs) / (n + 2)) * 1000 };
}
