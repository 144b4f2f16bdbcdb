// Fuzz: 10 000 generated graphs through validateGraph with the real catalog never throw and every problem is
// coded; 600 small runnable graphs through the real Executor always end succeeded or failed with a code.
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCatalog } from '../registry';
import { Executor } from './executor';
import { validateGraph, type GraphProblem } from './validate';
import { ModelStore } from '../runtime/models';
import { InputStore } from '../runtime/inputs';
import type { OnnxRuntime } from '../runtime/onnx';
import type { RunEvent } from './events';
import { PROJECT_ROOT as projectRoot } from '../paths';
import {
  GRAPH_WIDE_CODES, PROBLEM_CODES, anyGraphInput, cheapRunnableGraph, shippedWorkflows,
} from '../testing/graph-arbitraries';

const catalog = getCatalog();
const workflows = shippedWorkflows(projectRoot);
// The generated pack (npm run models) when present, so mutated shipped workflows can be valid; without it every
// model param is `unknown_model`, which is still a coded problem.
// Answers memoised: the fuzz is about the validator, and 10 000 filesystem probes would dominate its time.
const store = new ModelStore(path.join(projectRoot, 'models'));
const known = new Map<string, boolean>();
const models = Object.assign(Object.create(store) as ModelStore, {
  exists(kind: Parameters<ModelStore['exists']>[0], name: string): boolean {
    const key = `${kind}\0${name}`;
    if (!known.has(key)) known.set(key, store.exists(kind, name));
    return known.get(key)!;
  },
});

const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => unhandled.push(e);
beforeAll(() => process.on('unhandledRejection', onUnhandled));
afterAll(() => process.off('unhandledRejection', onUnhandled));

/** The first broken promise of a problem list, or undefined when every problem is coded as the contract says. */
function badProblem(problems: GraphProblem[]): string | undefined {
  for (const p of problems) {
    if (!PROBLEM_CODES.includes(p.code)) return `unknown code ${p.code}`;
    if (typeof p.message !== 'string' || !p.message) return `${p.code} without a message`;
    if (!GRAPH_WIDE_CODES.has(p.code) && (typeof p.nodeId !== 'string' || !p.nodeId)) return `${p.code} without a nodeId: ${p.message}`;
  }
  return undefined;
}

describe('validation fuzz', () => {
  it('10 000 generated graphs: validateGraph never throws and codes every problem', () => {
    const started = performance.now();
    const byCode = new Map<string, number>();
    let generated = 0;
    let valid = 0;
    fc.assert(
      fc.property(anyGraphInput(catalog, workflows), fc.option(fc.array(fc.constantFrom('save', 'a', 'fill', 'nope'), { maxLength: 2 }), { nil: undefined }), (input, targets) => {
        generated++;
        const r = validateGraph(input, { catalog, models, targets });
        expect(badProblem(r.problems)).toBeUndefined();
        expect(r.ok).toBe(r.problems.length === 0);
        if (r.ok) valid++;
        for (const p of r.problems) byCode.set(p.code, (byCode.get(p.code) ?? 0) + 1);
      }),
      { seed: 42, numRuns: 10_000 },
    );
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`validation fuzz: ${generated} graphs, ${valid} valid, ${seconds} s; problems by code: ${JSON.stringify(Object.fromEntries([...byCode].sort()))}`);
    expect(generated).toBe(10_000);
    // The generators must reach past the format check into every semantic family, or the fuzz proves little.
    for (const code of ['invalid_json', 'invalid_graph', 'unknown_node_type', 'missing_input', 'type_mismatch', 'param_invalid', 'cycle', 'unknown_model', 'duplicate_node_id', 'unknown_socket', 'no_output']) {
      expect(byCode.get(code) ?? 0, code).toBeGreaterThan(0);
    }
  });
});

describe('execution fuzz', () => {
  it('600 small graphs through the real Executor: every run ends succeeded or failed with a code', async () => {
    const started = performance.now();
    const executor = new Executor({
      runtime: { ortMs: 0 } as OnnxRuntime, models, inputs: new InputStore([]), cacheBytes: 16 * 1024 * 1024,
    });
    const outcomes = new Map<string, number>();
    let executed = 0;
    let rejectedByValidation = 0;
    await fc.assert(
      fc.asyncProperty(cheapRunnableGraph(), async (graph) => {
        if (!validateGraph(graph, { catalog, models }).ok) {
          rejectedByValidation++;
          return;
        }
        const events: RunEvent[] = [];
        const result = await executor.run(graph, { runId: `fuzz-${executed}`, onEvent: (e) => events.push(e) });
        executed++;
        const terminal = events.filter((e) => e.type === 'run:finished' || e.type === 'run:failed' || e.type === 'run:cancelled');
        expect(terminal).toHaveLength(1);
        expect(events.at(-1)).toBe(terminal[0]);
        if (result.status === 'succeeded') {
          expect(terminal[0].type).toBe('run:finished');
          const saves = graph.nodes.filter((n) => n.type === 'save_image').length;
          expect(result.artifacts.length).toBe(saves);
          for (const a of result.artifacts) expect(a.width * a.height).toBeGreaterThan(0);
        } else {
          expect(result.status).toBe('failed');
          expect(terminal[0]).toMatchObject({ type: 'run:failed', code: result.error!.code, nodeId: result.error!.nodeId });
          expect(result.error!.code).toMatch(/^[a-z_]+$/);
          expect(result.error!.code).not.toBe('internal');
        }
        const key = result.status === 'succeeded' ? 'succeeded' : `failed:${result.error!.code}`;
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      }),
      { seed: 42, numRuns: 600 },
    );
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`execution fuzz: ${executed} runs executed (${rejectedByValidation} generated graphs rejected by validation), ${seconds} s; outcomes: ${JSON.stringify(Object.fromEntries([...outcomes].sort()))}`);
    expect(executed).toBeGreaterThanOrEqual(500);
    expect(outcomes.get('succeeded') ?? 0).toBeGreaterThan(executed / 2);
    expect(unhandled).toEqual([]);
  });
});
