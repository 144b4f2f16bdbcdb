// `npm run bench`: every benchmark, measured side by side in one process, printed as ratios.
import fs from 'node:fs';
import path from 'node:path';
import { benchAffinity } from './affinity';
import { benchComfyImport } from './comfy-import';
import { benchChain, benchWorkflows } from './executor';
import { benchPreviews } from './previews';
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

  console.log('\n# ComfyUI import, every id colliding (µs per node should not grow with the size)');
  for (const r of benchComfyImport()) console.log(`${String(r.nodes).padStart(6)} nodes: ${fmt(r.ms, 0)} ms, ${fmt(r.usPerNode, 1)} µs/node`);

  console.log('\n# Model affinity (scaled mode, real Redis): 2 workers × 2 checkpoints, 40 alternating runs, one checkpoint fits per worker');
  const affinity = await benchAffinity(40);
  for (const r of affinity) {
    console.log(`${r.mode.padEnd(30)} ONNX model loads ${String(r.loads).padStart(4)} (per worker ${r.perWorker.join(' + ')})  ${fmt(r.seconds, 1)} s`);
  }
  console.log(`loads FIFO/affinity ${fmt(affinity[0].loads / Math.max(1, affinity[1].loads))}, time FIFO/affinity ${fmt(affinity[0].seconds / affinity[1].seconds)}`);

  console.log('\n# Watching a run: 200-step txt2img through a real server, sampler node median ms, watched vs unwatched');
  const pv = await benchPreviews();
  console.log(`watched ${fmt(pv.watchedMedian, 0)} ms  unwatched ${fmt(pv.unwatchedMedian, 0)} ms  watched/unwatched ${fmt(pv.ratio)}  ` +
    `(median of pairs ${fmt(pv.pairedRatio)}; ${pv.rounds} runs each, alternating; ${pv.framesReceived} frames received per watched run)`);

  const upscale = path.join(import.meta.dirname, 'upscale.ts');
  if (fs.existsSync(upscale)) {
    const { benchUpscale } = await import('./upscale');
    console.log('\n# Upscaler: ONNX Runtime (converted) vs TF.js (original), same weights and image');
    for (const r of await benchUpscale()) {
      console.log(`${r.name.padEnd(32)} onnx ${fmt(r.onnxMs, 1)} ms  tfjs ${fmt(r.tfjsMs, 1)} ms  tfjs/onnx ${fmt(r.ratio)}`);
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
