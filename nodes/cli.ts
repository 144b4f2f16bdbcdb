// The headless runner: validate and run a workflow file, write its images, report timings.
import fs from 'node:fs';
import path from 'node:path';
import { Executor, type RunResult } from './engine/executor';
import type { Graph } from './engine/graph';
import { validateGraph } from './engine/validate';
import { getCatalog } from './registry';
import { OnnxRuntime } from './runtime/onnx';
import { ModelStore } from './runtime/models';
import { InputStore } from './runtime/inputs';
import { defaultInputDirs, defaultModelsDir } from './paths';
import { applySet, CliUsageError, parseArgs, USAGE, type CliArgs } from './cli-args';
import type { RunEvent } from './engine/events';
import { importForCli, importReportLines, type CliImport } from './cli-import';
import { isStepflowGraphFile } from './interop/import-file';
import { MANIFEST_FILE } from './pack/checksum';

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if (args.command === 'catalog') {
    process.stdout.write(JSON.stringify(getCatalog(), null, 2) + '\n');
    return 0;
  }
  if (args.command !== 'run' && args.command !== 'validate') {
    process.stderr.write(USAGE + '\n');
    return args.command === 'help' ? 0 : 2;
  }
  if (!args.file) throw new CliUsageError(`${args.command} needs a workflow file`);
  await packOnFirstUse(defaultModelsDir());
  const models = new ModelStore(defaultModelsDir());
  const { graph, imported } = readGraph(args, models);
  // The import report comes first, as the editor shows it before anything runs.
  if (imported) process.stderr.write(importReportLines(args.file, imported).join('\n') + '\n');
  const importJson = imported ? { import: { source: imported.source, ...imported.report } } : {};
  const v = validateGraph(graph, { catalog: getCatalog(), models, targets: args.targets.length ? args.targets : undefined });
  if (!v.ok) {
    for (const p of v.problems) {
      process.stderr.write(`error ${p.code}${p.nodeId ? ` [${p.nodeId}]` : ''}: ${p.message}\n`);
    }
    if (args.json) process.stdout.write(JSON.stringify({ status: 'invalid', problems: v.problems, ...importJson }) + '\n');
    return 1;
  }
  if (args.command === 'validate') {
    process.stdout.write(args.json ? JSON.stringify({ status: 'valid', ...importJson }) + '\n' : `${args.file}: valid\n`);
    return 0;
  }

  const runtime = new OnnxRuntime({
    provider: process.env.EXECUTION_PROVIDER === 'cuda' ? 'cuda' : 'cpu',
    budgetBytes: Number(process.env.MODEL_BUDGET_BYTES ?? 4 * 1024 ** 3),
    onWarning: (m) => process.stderr.write(`warning: ${m}\n`),
  });
  const executor = new Executor({ runtime, models, inputs: new InputStore(defaultInputDirs()) });
  const progress = new ProgressBar(process.stderr.isTTY && !args.json);
  const runs = [];
  let status = 'succeeded';
  try {
    for (let i = 0; i < args.repeat; i++) {
      const result = await executor.run(v.graph, {
        runId: `cli-${i + 1}`,
        targets: args.targets.length ? args.targets : undefined,
        onEvent: (e) => progress.onEvent(e),
      });
      progress.done();
      const files = writeOutputs(result, args, i);
      runs.push(report(result, files));
      if (result.status !== 'succeeded') {
        status = result.status;
        process.stderr.write(`run ${result.status}${result.error?.nodeId ? ` at node "${result.error.nodeId}"` : ''}: ${result.error?.code}: ${result.error?.message}\n`);
        break;
      }
      if (!args.json) {
        process.stderr.write(`run ${i + 1}: ${result.totalMs.toFixed(0)} ms (onnx ${result.ortMs.toFixed(0)} ms); ${files.map((f) => f.files.join(', ')).join('; ')}\n`);
      }
    }
  } finally {
    await runtime.dispose();
  }
  if (args.json) process.stdout.write(JSON.stringify({ status, runs, ...importJson }) + '\n');
  return status === 'succeeded' ? 0 : 1;
}

/**
 * A fresh clone has no model pack until `npm start` or `npm run models` makes one: make it here, as `npm run models`
 * does, rather than fail with unknown_model. An existing pack is left as it is (checking it costs about a second).
 */
async function packOnFirstUse(modelsDir: string): Promise<void> {
  if (fs.existsSync(path.join(modelsDir, MANIFEST_FILE))) return;
  process.stderr.write(`no model pack in ${modelsDir} yet: generating it (npm run models) ...\n`);
  const { ensurePack } = await import('./pack/generate');
  const r = await ensurePack(modelsDir, { onProgress: (p) => p.phase === 'done' && process.stderr.write(`  ${p.part}: ${p.files.length} files\n`) });
  process.stderr.write(`model pack ready in ${(r.ms / 1000).toFixed(1)} s\n`);
}

/**
 * A StepFlow graph .json is read as it is (every schema problem listed); any other file goes through the editor's
 * importer (StepFlow PNG, ComfyUI API .json), which names the file when it holds no workflow.
 */
function readGraph(args: CliArgs, models: ModelStore): { graph: Graph; imported?: CliImport } {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(args.file!);
  } catch (e) {
    throw new CliUsageError(`cannot read workflow "${args.file}": ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (!isStepflowGraphFile(args.file!, bytes)) {
    const imported = importForCli(args.file!, bytes, models);
    for (const s of args.sets) applySet(imported.graph, getCatalog(), s);
    return { graph: imported.graph, imported };
  }
  const parsed = validateGraph(bytes.toString('utf8'), { catalog: getCatalog() });
  if (!parsed.graph) {
    // Schema-level problems: print them all, nothing to apply --set to.
    const msg = parsed.problems.map((p) => `error ${p.code}: ${p.message}`).join('\n');
    throw Object.assign(new CliUsageError(`${args.file}:\n${msg}`), { problems: parsed.problems });
  }
  const graph = parsed.graph;
  for (const s of args.sets) applySet(graph, getCatalog(), s);
  return { graph };
}

function writeOutputs(result: RunResult, args: CliArgs, runIndex: number) {
  const byNode = new Map<string, string[]>();
  // Preview Image pictures are for a screen the CLI does not have: only saved outputs are written.
  const saved = result.artifacts.filter((a) => a.kind === 'image');
  if (!saved.length) return [];
  fs.mkdirSync(args.out, { recursive: true });
  for (const a of saved) {
    const name = args.repeat > 1 ? a.filename.replace(/(\.\w+)$/, `_run${runIndex + 1}$1`) : a.filename;
    const file = path.join(args.out, name);
    fs.writeFileSync(file, a.bytes);
    byNode.set(a.nodeId, [...(byNode.get(a.nodeId) ?? []), file]);
  }
  return [...byNode].map(([nodeId, files]) => ({ nodeId, files }));
}

function report(r: RunResult, outputs: { nodeId: string; files: string[] }[]) {
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    status: r.status,
    totalMs: round(r.totalMs),
    ortMs: round(r.ortMs),
    nodes: r.nodes.map((n) => ({ id: n.id, type: n.type, ms: round(n.ms), ortMs: round(n.ortMs), cached: n.cached })),
    outputs,
    ...(r.error ? { error: r.error } : {}),
  };
}

/** One line per node with progress, redrawn in place on a terminal. */
class ProgressBar {
  private active = false;
  constructor(private readonly enabled: boolean) {}
  onEvent(e: RunEvent): void {
    if (!this.enabled || e.type !== 'node:progress') return;
    const width = 30;
    const filled = Math.round((e.step / e.total) * width);
    process.stderr.write(`\r${e.nodeId.padEnd(12).slice(0, 12)} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${e.step}/${e.total}`);
    this.active = true;
    if (e.step === e.total) this.done();
  }
  done(): void {
    if (this.active) process.stderr.write('\n');
    this.active = false;
  }
}

/** Exit only after stdout is flushed: a piped multi-megabyte JSON line would otherwise be cut. */
function exit(code: number): void {
  process.stdout.write('', () => process.exit(code));
}

main(process.argv.slice(2)).then(
  exit,
  (e) => {
    const code = (e as { code?: string }).code ?? 'error';
    process.stderr.write(`${code === 'usage' ? 'error' : code}: ${(e as Error).message}\n`);
    if (code === 'usage' && !(e as { problems?: unknown }).problems) process.stderr.write(USAGE + '\n');
    if (process.argv.includes('--json')) {
      process.stdout.write(JSON.stringify({ status: 'error', code, message: (e as Error).message }) + '\n');
    }
    exit(2);
  },
);
