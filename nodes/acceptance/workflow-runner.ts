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
import { classifySprite, type SpriteClass } from '../pack/sprites';
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
