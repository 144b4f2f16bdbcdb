// `npm run bench`: every benchmark, measured side by side in one process, printed as ratios.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchAffinity } from './affinity';
import { benchThroughput } from './throughput';
import { benchComfyImport } from './comfy-import';
import { benchChain, benchWorkflows } from './executor';
import { benchPromptCache, promptCacheTable } from './prompt-cache';
import { benchPreviews } from './previews';
import { benchLive } from './live';
import { benchCanvasFps, canvasFpsTable, CHROMIUM } from './canvas-fps';
import { WORKFLOWS_DIR } from '../nodes/paths';

const fmt = (x: number | undefined, d = 2) => (x === undefined ? '-' : x.toFixed(d));

async function main() {
  const modelFree = ['image-ops.json'];
  const modelGraphs = ['txt2img.json', 'txt2img-refine-upscale.json'].filter((f) => fs.existsSync(path.join(WORKFLOWS_DIR, f)));

  console.log('# Executor overhead (median of 5 uncached runs after a warm-up)');
  console.log('workflow                          totalMs   nodeMs    ortMs  total/node  total/ort');
  const rows = await benchWorkflows([...modelFree, ...modelGraphs]);
  for (const r of rows) {
    console.log(`${r.name.padEnd(32)} ${fmt(r.totalMs, 1).padStart(8)} ${fmt(r.nodeMs, 1).padStart(8)} ${fmt(r.ortMs, 1).padStart(8)} ${fmt(r.overhead).padStart(11)} ${fmt(r.ortRatio).padStart(10)}`);
  }
  for (const r of rows.filter((x) => x.ortMs > 0)) {
    console.log(`\n## ${r.name}: per node, median ms (ORT ms); ORT ${fmt(r.ortMs, 1)} ms vs everything else ${fmt(r.totalMs - r.ortMs, 1)} ms`);
    console.log(r.nodes.map((n) => `${n.id} ${fmt(n.ms, 1)} (${fmt(n.ortMs, 1)})`).join(', '));
  }

  const chain = await benchChain();
  console.log(`\n# Per-node engine cost: ${chain.nodes}-node chain, total ${fmt(chain.totalMs, 1)} ms, nodes ${fmt(chain.nodeMs, 1)} ms, ` +
    `overhead ${fmt(chain.perNodeUs, 1)} µs/node, ratio ${fmt(chain.totalMs / chain.nodeMs)}`);

  console.log('\n# Prompt cache: 40 encodes drawn from 8 prompts through the executor (node cache off), with vs without, interleaved');
  console.log(promptCacheTable(await benchPromptCache()));

  console.log('\n# ComfyUI import, every id colliding (µs per node should not grow with the size)');
  for (const r of benchComfyImport()) console.log(`${String(r.nodes).padStart(6)} nodes: ${fmt(r.ms, 0)} ms, ${fmt(r.usPerNode, 1)} µs/node`);

  console.log('\n# Model affinity (scaled mode, real Redis): 2 workers × 2 checkpoints, 40 alternating runs, one checkpoint fits per worker');
  const affinity = await benchAffinity(40);
  for (const r of affinity) {
    console.log(`${r.mode.padEnd(30)} ONNX model loads ${String(r.loads).padStart(4)} (per worker ${r.perWorker.join(' + ')})  ${fmt(r.seconds, 1)} s`);
  }
  console.log(`loads FIFO/affinity ${fmt(affinity[0].loads / Math.max(1, affinity[1].loads))}, time FIFO/affinity ${fmt(affinity[0].seconds / affinity[1].seconds)}`);

  console.log('\n# Dynamic batching through the real server (SQLite, 1 worker, sprites txt2img 20 steps, node cache off)');
  const tp = await benchThroughput();
  for (const r of tp.rows) {
    const sizes = [...new Set(r.batches)].join('/');
    // Against the first row (batching on, one after another) and the fourth (no batching at all).
    console.log(`${r.mode.padEnd(50)} ${fmt(r.seconds, 2).padStart(6)} s  ${fmt(r.runsPerSecond, 2).padStart(6)} runs/s  ×${fmt(r.runsPerSecond / tp.rows[0].runsPerSecond)}  ×${fmt(r.runsPerSecond / tp.rows[3].runsPerSecond)} vs MAX_BATCH=1  batch sizes ${sizes}`);
  }
  console.log('latency queued→finished, bursts of c runs: ' + tp.latency.map((l) => `c=${l.concurrency} P50 ${l.p50} ms P90 ${l.p90} ms`).join(' · '));
  console.log('\n# Live mode through the real server (the editor\'s LiveRunner, node cache on, sprites txt2img 20 steps)');
  const live = await benchLive();
  console.log(`CFG slider dragged 2 s (${live.dragChanges} values): ${live.dragRuns} images, ${fmt(live.dragImagesPerSecond, 1)} images/s (goal ≥ 5)`);
  console.log(`prompt typed at 8 keys/s (${live.keystrokes} keys, ${live.keyRuns} runs): keystroke → image P50 ${fmt(live.keyP50, 0)} ms, P90 ${fmt(live.keyP90, 0)} ms (goal P50 ≤ 250)`);
  console.log('\n# Watching a run: 200-step txt2img through a real server, sampler node median ms, watched vs unwatched');
  const pv = await benchPreviews();
  console.log(`watched ${fmt(pv.watchedMedian, 0)} ms  unwatched ${fmt(pv.unwatchedMedian, 0)} ms  watched/unwatched ${fmt(pv.ratio)}  ` +
    `(median of pairs ${fmt(pv.pairedRatio)}; ${pv.rounds} runs each, alternating; ${pv.framesReceived} frames received per watched run)`);

  const upscale = path.join(import.meta.dirname, 'upscale.ts');
  if (fs.existsSync(upscale)) {
    const { benchUpscale, tfjsBackendName } = await import('./upscale');
    const rows = await benchUpscale();
    console.log(`\n# Upscaler: ONNX Runtime (converted) vs TF.js ${tfjsBackendName()} (original, 1 thread), same weights and image, 9 interleaved runs`);
    console.log(`(load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; "best" = ratio of fastest runs)`);
    console.log('model, size, variant, ORT threads                onnx ms   tfjs ms  tfjs/onnx  best  max|d| vs tfjs  PSNR dB  >1/255');
    for (const r of rows) {
      console.log(`${r.name.padEnd(44)} ${fmt(r.onnxMs, 1).padStart(8)} ${fmt(r.tfjsMs, 1).padStart(9)} ${fmt(r.ratio).padStart(10)} ${fmt(r.bestRatio).padStart(5)} ${`${fmt(r.maxAbs255)}/255`.padStart(15)} ${fmt(r.psnr, 1).padStart(8)} ${`${fmt(100 * r.overTolerance, 1)}%`.padStart(7)}`);
    }
  }

  const precision = path.join(import.meta.dirname, 'precision.ts');
  if (fs.existsSync(precision)) {
    const { benchPrecision } = await import('./precision');
    console.log(`\n# fp16 / int8 variants vs fp32 (ONNX Runtime CPU, ${os.availableParallelism()} threads; median of 9 interleaved runs, txt2img 4), same seed and input`);
    const rows = await benchPrecision();
    console.log(`(load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; "best" = ratio of fastest runs)`);
    console.log('model                                          variant       ms  fp32/this  best    max|d|  PSNR dB  >1/255');
    for (const r of rows) {
      const tol = r.overTolerance === undefined ? '' : `${fmt(100 * r.overTolerance, 1)}%`;
      console.log(`${r.model.padEnd(46)} ${r.variant.padEnd(7)} ${fmt(r.ms, 2).padStart(8)} ${fmt(r.speedup).padStart(10)} ${fmt(r.bestSpeedup).padStart(5)} ${r.maxAbs.toExponential(1).padStart(9)} ${fmt(r.psnr, 1).padStart(8)} ${tol.padStart(7)}`);
    }
  }

  // The browser side: needs the system Chromium (as the e2e specs do) and a production build (made if stale).
  if (fs.existsSync(CHROMIUM)) {
    console.log('\n# Canvas frame rate: 300-node graph in headless Chromium (software rendering), requestAnimationFrame intervals');
    console.log(canvasFpsTable(await benchCanvasFps(300)));
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
