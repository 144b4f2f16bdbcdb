// Runs a shipped workflow file through the Executor with params overridden by node id, and reads
// its saved image back as 8-bit pixels for classification.
import fs from 'node:fs';
import path from 'node:path';
import { Executor, type RunOptions, type RunResult } from '../engine/executor';
import { OnnxRuntime } from '../runtime/onnx';
import { ModelStore } from '../runtime/models';
import { InputStore } from '../runtime/inputs';
import { decodeImage, tensorToHwc } from '../runtime/image';
import { PROJECT_ROOT, WORKFLOWS_DIR } from '../paths';
import { allNodes } from '../models/testing/model-nodes';
import { BACKGROUNDS, classifySprite, SHAPE_COLORS, SHAPES, type SpriteClass } from '../pack/sprites';
import type { Graph } from '../engine/graph';
import type { AnyNodeDefinition } from '../define';

export type ParamOverrides = Record<string, Record<string, unknown>>;

export function loadWorkflow(file: string, overrides: ParamOverrides = {}): Graph {
  const graph = JSON.parse(fs.readFileSync(path.join(WORKFLOWS_DIR, file), 'utf8')) as Graph;
  for (const [id, params] of Object.entries(overrides)) {
    const node = graph.nodes.find((n) => n.id === id);
    if (!node) throw new Error(`${file} has no node "${id}"`);
    node.params = { ...node.params, ...params };
  }
  return graph;
}

/** `inputDirs` are searched before the shipped workflows/inputs; `extraNodes` join the registry's. */
export function createRunner(modelsDir: string, inputDirs: string[] = [], extraNodes: readonly AnyNodeDefinition[] = []) {
  const runtime = new OnnxRuntime({ provider: 'cpu', budgetBytes: 2 ** 31, onWarning: () => undefined });
  const inputs = new InputStore([...inputDirs, path.join(PROJECT_ROOT, 'workflows', 'inputs')]);
  const models = new ModelStore(modelsDir);
  const make = () => new Executor({ runtime, models, inputs, nodes: allNodes(extraNodes) });
  let executor = make();
  let runs = 0;
  return {
    runtime,
    /** The current executor, for runs that must not throw on failure (cancel tests) or run concurrently. */
    executor: () => executor,
    /** A fresh executor (empty node cache) from now on. */
    resetCache(): void {
      executor = make();
    },
    async run(graph: Graph, opts: Partial<RunOptions> = {}): Promise<RunResult> {
      const r = await executor.run(graph, { runId: `acceptance-${++runs}`, ...opts });
      if (r.status !== 'succeeded') throw new Error(`run failed at ${r.error?.nodeId}: ${r.error?.code}: ${r.error?.message}`);
      return r;
    },
    dispose: () => runtime.dispose(),
  };
}

export async function pixelsOf(bytes: Uint8Array): Promise<{ data: Uint8Array; width: number; height: number }> {
  const px = tensorToHwc(await decodeImage(bytes));
  return { data: px.data, width: px.width, height: px.height };
}

export async function classifyArtifact(r: RunResult): Promise<SpriteClass> {
  const px = await pixelsOf(r.artifacts[0].bytes);
  return classifySprite(px.data, px.width, px.height, 3);
}

export interface GridCase { shape: string; color: string; background: string }

/** The 24-prompt acceptance grid: every shape, colour and background at least once, never a colour on itself. */
export function promptGrid(): GridCase[] {
  const cases: GridCase[] = [];
  for (let i = 0; cases.length < 24; i++) {
    const shape = SHAPES[i % SHAPES.length];
    const color = SHAPE_COLORS[(i * 3) % SHAPE_COLORS.length];
    const background = BACKGROUNDS[(i * 5) % BACKGROUNDS.length];
    if (color !== background) cases.push({ shape, color, background });
  }
  return cases;
}

/** Runs each case's prompt (seed 100 + its index) and lists the ones whose image is not exactly the prompted sprite. */
export async function gridMisses(cases: GridCase[], run: (prompt: string, seed: number) => Promise<RunResult>): Promise<string[]> {
  const misses: string[] = [];
  for (const [i, c] of cases.entries()) {
    const prompt = `${c.color} ${c.shape} on ${c.background} background`;
    const sprite = await classifyArtifact(await run(prompt, 100 + i));
    if (sprite.shape !== c.shape || sprite.color !== c.color || sprite.background !== c.background || sprite.wrongCells > 0) {
      misses.push(`${prompt} -> ${sprite.color} ${sprite.shape} on ${sprite.background} (${sprite.wrongCells} wrong cells)`);
    }
  }
  return misses;
}
