// Prompt cache: a workload that repeats prompts (N encodes drawn from a few prompts) through the executor with the
// node cache off, so every Text Encoder node executes; one executor with the prompt cache, one without, run
// interleaved on the same sequence in one process. Encoders: the pack's sprites and tiny-sd, and an SD 1.5-sized
// one with random weights (clip-l-shaped.ts) for what a hit saves on a real model.
import { Executor } from '../nodes/engine/executor';
import { InputStore } from '../nodes/runtime/inputs';
import { ModelStore } from '../nodes/runtime/models';
import { OnnxRuntime } from '../nodes/runtime/onnx';
import { defaultModelsDir } from '../nodes/paths';
import { writeClipLShaped } from './clip-l-shaped';

/** Eight prompts as people write them: plain, emphasised, a BREAK, one over 75 tokens (two windows). */
export const BENCH_PROMPTS = [
  'a red circle on a blue background',
  'a green square on a yellow background',
  '(a red circle:1.3) on a white background, pixel art',
  'blue triangle, [grey background], small sprite',
  'a yellow star BREAK black background',
  'an orange circle next to a purple square on a dark green background, centered',
  Array.from({ length: 20 }, (_, i) => `${['red', 'blue', 'green', 'yellow'][i % 4]} circle`).join(', '),
  '',
];

export interface PromptCacheBenchSide {
  hits: number;
  misses: number;
  /** Sum over the encodes of the Text Encoder node's time. */
  encoderMs: number;
  /** Sum over the runs of the whole run's time (checkpoint loader included). */
  runMs: number;
  /** Median Text Encoder node time of the encodes answered from the cache (cached side) / of all (uncached side). */
  medianMs: number;
}

/** A text encoder to bench: the loader node that gives its CLIP, in its models folder. */
export interface PromptBenchEncoder {
  name: string;
  modelsDir: string;
  loader: { type: 'checkpoint_loader'; params: { ckpt_name: string } } | { type: 'clip_loader'; params: { clip_name: string } };
}

export interface PromptCacheBenchRow {
  encoder: string;
  encodes: number;
  prompts: number;
  cached: PromptCacheBenchSide;
  uncached: PromptCacheBenchSide;
}

/** Deterministic draws (a 32-bit LCG), so every run of the bench sees the same sequence. */
function draws(n: number, of: number, seed = 12345): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s >>> 16) % of; // the high bits: an LCG's low bits cycle with a short period
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
}

function graph(encoder: PromptBenchEncoder, text: string) {
  return {
    version: 1,
    nodes: [
      { id: 'load', ...encoder.loader },
      { id: 'prompt', type: 'text_encoder', params: { text } },
    ],
    edges: [{ from: { node: 'load', output: 'clip' }, to: { node: 'prompt', input: 'clip' } }],
  };
}

export async function benchPromptCache(opts: { encodes?: number; encoders?: PromptBenchEncoder[] } = {}): Promise<PromptCacheBenchRow[]> {
  const encodes = opts.encodes ?? 40;
  const sequence = draws(encodes, BENCH_PROMPTS.length);
  const runtime = new OnnxRuntime({ provider: 'cpu', budgetBytes: 4 * 1024 ** 3, onWarning: () => undefined });
  const rows: PromptCacheBenchRow[] = [];
  const clipL = opts.encoders ? undefined : writeClipLShaped();
  const encoders = opts.encoders ?? [
    { name: 'sprites', modelsDir: defaultModelsDir(), loader: { type: 'checkpoint_loader', params: { ckpt_name: 'sprites' } } },
    { name: 'tiny-sd', modelsDir: defaultModelsDir(), loader: { type: 'checkpoint_loader', params: { ckpt_name: 'tiny-sd' } } },
    { name: 'SD1.5-size', modelsDir: clipL!.modelsDir, loader: { type: 'clip_loader', params: { clip_name: clipL!.name } } },
  ];
  try {
    for (const encoder of encoders) {
      const make = (promptCacheBytes?: number) => new Executor({
        runtime, models: new ModelStore(encoder.modelsDir), inputs: new InputStore([]), cacheBytes: 0, promptCacheBytes,
      });
      const sides = [
        { executor: make(), side: { hits: 0, misses: 0, encoderMs: 0, runMs: 0, medianMs: 0 }, typical: [] as number[] },
        { executor: make(0), side: { hits: 0, misses: 0, encoderMs: 0, runMs: 0, medianMs: 0 }, typical: [] as number[] },
      ];
      const once = async (executor: Executor, text: string, i: number) => {
        const r = await executor.run(graph(encoder, text), { runId: `prompt-bench-${i}`, targets: ['prompt'] });
        if (r.status !== 'succeeded') throw new Error(`${encoder.name}: ${r.error?.code} ${r.error?.message}`);
        return r;
      };
      // Warm-up with a prompt outside the set: sessions load, code paths compile.
      for (const { executor } of sides) await once(executor, 'warm up', -1);
      for (const [i, p] of sequence.entries()) {
        // Alternate which side goes first, so neither always runs on a cache-warm CPU.
        const order = i % 2 ? [...sides].reverse() : sides;
        for (const { executor, side, typical } of order) {
          const r = await once(executor, BENCH_PROMPTS[p], i);
          const ms = r.nodes.find((n) => n.id === 'prompt')!.ms;
          side.encoderMs += ms;
          side.runMs += r.totalMs;
          side.hits += r.promptCache?.hits ?? 0;
          side.misses += r.promptCache?.misses ?? 0;
          if (!r.promptCache || r.promptCache.hits) typical.push(ms);
        }
      }
      for (const s of sides) s.side.medianMs = median(s.typical);
      rows.push({ encoder: encoder.name, encodes, prompts: new Set(sequence).size, cached: sides[0].side, uncached: sides[1].side });
    }
  } finally {
    await runtime.dispose();
    clipL?.remove();
  }
  return rows;
}

const fmt = (x: number, d = 2) => x.toFixed(d);

/** The bench's table: hit rate, then encoder-node and whole-run time with the cache and without, and their ratios. */
export function promptCacheTable(rows: PromptCacheBenchRow[]): string {
  const lines = ['encoder     hits misses  hit rate   encoder ms: with  without  ratio   median ms: hit  without   run ms: with  without  ratio'];
  for (const r of rows) {
    const c = r.cached, u = r.uncached;
    lines.push(`${r.encoder.padEnd(10)} ${String(c.hits).padStart(5)} ${String(c.misses).padStart(6)} ${fmt((100 * c.hits) / (c.hits + c.misses), 1).padStart(8)}%`
      + `   ${fmt(c.encoderMs, 1).padStart(16)} ${fmt(u.encoderMs, 1).padStart(8)} ${fmt(u.encoderMs / c.encoderMs).padStart(6)}`
      + `   ${fmt(c.medianMs, 3).padStart(14)} ${fmt(u.medianMs, 3).padStart(8)}`
      + `   ${fmt(c.runMs, 1).padStart(12)} ${fmt(u.runMs, 1).padStart(8)} ${fmt(u.runMs / c.runMs).padStart(6)}`);
  }
  return lines.join('\n');
}
