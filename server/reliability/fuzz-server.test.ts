// Fuzz at the server's edge: 10 000 generated graphs through graph-checks (save and run paths) end in a graph
// that can be stored or a coded BAD_REQUEST; 60 small runnable graphs through a real worker process never crash it.
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCatalog } from '../../nodes/registry';
import { ModelStore } from '../../nodes/runtime/models';
import { validateGraph } from '../../nodes/engine/validate';
import {
  GRAPH_WIDE_CODES, PROBLEM_CODES, anyGraphInput, cheapRunnableGraph, shippedWorkflows,
} from '../../nodes/testing/graph-arbitraries';
import { graphLimits, graphProblems, parseGraphFormat, requireRunnableGraph } from '../graph-checks';
import { loadEnv } from '../env';
import { projectRoot } from '../paths';
import { applySeedControls } from '../queue/seed-controls';
import { GraphRejectedError } from '../trpc';
import { startTestServer, tempDir, trpcRejection, until, type TestServer } from '../testing/harness';

const catalog = getCatalog();
const models = new ModelStore(path.join(projectRoot, 'models'));
// The server's default caps (MAX_GRAPH_NODES, MAX_IMAGE_PIXELS, ...), as a server started with no settings has them.
const limits = graphLimits(loadEnv({}));

/** undefined when `fn` returned; otherwise the rejection, which must be a coded BAD_REQUEST. */
function rejection(fn: () => unknown): GraphRejectedError | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(TRPCError);
    expect((e as TRPCError).code).toBe('BAD_REQUEST');
    const cause = (e as TRPCError).cause;
    expect(cause).toBeInstanceOf(GraphRejectedError);
    return cause as GraphRejectedError;
  }
}

describe('graph checks fuzz', () => {
  it('10 000 generated graphs: format check, problems and run check never throw anything but a coded BAD_REQUEST', () => {
    const started = performance.now();
    const outcomes = { formatRejected: 0, saved: 0, runRejected: 0, runnable: 0 };
    const byCode = new Map<string, number>();
    fc.assert(
      fc.property(anyGraphInput(catalog, shippedWorkflows(projectRoot)), (input) => {
        let graph: ReturnType<typeof parseGraphFormat> | undefined;
        const format = rejection(() => (graph = parseGraphFormat(input, limits)));
        if (format) {
          outcomes.formatRejected++;
          expect(format.problems.length).toBeGreaterThan(0);
          for (const p of format.problems) expect(p.code).toBe('invalid_graph');
          return;
        }
        // What a save stores and what a run's row stores: the accepted graph must be JSON.
        expect(typeof JSON.stringify(graph)).toBe('string');
        outcomes.saved++;
        for (const p of graphProblems(graph, models, limits)) {
          expect(PROBLEM_CODES).toContain(p.code);
          if (!GRAPH_WIDE_CODES.has(p.code)) expect(p.nodeId, p.message).toBeTruthy();
          byCode.set(p.code, (byCode.get(p.code) ?? 0) + 1);
        }
        let runnable: unknown;
        const run = rejection(() => (runnable = requireRunnableGraph(applySeedControls(graph!), models, limits)));
        if (run) {
          outcomes.runRejected++;
          expect(run.problems.length).toBeGreaterThan(0);
          expect(run.message).toContain(run.problems[0].message);
        } else {
          outcomes.runnable++;
          expect(typeof JSON.stringify(runnable)).toBe('string');
        }
      }),
      { seed: 42, numRuns: 10_000 },
    );
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`graph checks fuzz: 10000 graphs, ${JSON.stringify(outcomes)}, ${seconds} s; problems by code: ${JSON.stringify(Object.fromEntries([...byCode].sort()))}`);
    expect(outcomes.saved).toBeGreaterThan(1000);
  });
});

describe('worker fuzz', () => {
  const dataDir = tempDir('fuzz-worker');
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dataDir, { WORKERS: '1' });
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('a graph carrying a bigint is a coded BAD_REQUEST over tRPC, not a 500', async () => {
    const fill = { id: 'fill', type: 'solid_color', params: { width: 8n as bigint | number, height: 8, color: '#fff' } };
    const graph = {
      version: 1, meta: { note: 1n },
      nodes: [fill, { id: 'save', type: 'save_image' }],
      edges: [{ from: { node: 'fill', output: 'image' }, to: { node: 'save', input: 'images' } }],
    };
    const err = await trpcRejection(t.trpc.runs.enqueue.mutate({ graph }));
    expect(err.data?.code).toBe('BAD_REQUEST');
    expect(err.data?.problems?.map((p) => `${p.code} ${p.message}`)).toContain('invalid_graph nodes.0.params.width: must be plain JSON (Do not know how to serialize a BigInt)');

    fill.params.width = 8;
    const meta = await trpcRejection(t.trpc.runs.enqueue.mutate({ graph }));
    expect(meta.data?.code).toBe('BAD_REQUEST');
    expect(meta.data?.problems?.[0]).toMatchObject({ code: 'invalid_graph' });
    expect(meta.data?.problems?.[0].message).toBe('meta.note: must be plain JSON (Do not know how to serialize a BigInt)');
  });

  it('60 small graphs through a real worker process: each ends succeeded or failed with a code, the worker never restarts', async () => {
    const started = performance.now();
    const graphs = fc.sample(cheapRunnableGraph(), { seed: 42, numRuns: 80 })
      .filter((g) => validateGraph(g, { catalog }).ok).slice(0, 60);
    expect(graphs).toHaveLength(60);
    const pid = (await until(() => t.server.pool.list().find((w) => w.state === 'idle')?.pid, 'the worker')).valueOf();
    const runIds: string[] = [];
    for (const graph of graphs) runIds.push((await t.trpc.runs.enqueue.mutate({ graph })).runId);
    const db = t.server.services.db;
    const rows = await until(async () => {
      const all = await db.run.findMany({ where: { id: { in: runIds } }, include: { nodeResults: true, artifacts: true } });
      return all.every((r) => r.status !== 'queued' && r.status !== 'running') ? all : undefined;
    }, 'every fuzz run to end', 110_000);
    const outcomes = new Map<string, number>();
    for (const r of rows) {
      const key = r.status === 'succeeded' ? 'succeeded' : `${r.status}:${r.errorCode}`;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      expect(['succeeded', 'failed']).toContain(r.status);
      if (r.status === 'failed') {
        expect(r.errorCode).toMatch(/^(crop_outside_image|param_invalid)$/);
        expect(r.nodeResults.find((n) => n.nodeId === r.errorNodeId)?.status).toBe('failed');
      } else {
        const saves = (JSON.parse(r.graph) as { nodes: { type: string }[] }).nodes.filter((n) => n.type === 'save_image').length;
        expect(r.artifacts.filter((a) => a.kind === 'image')).toHaveLength(saves);
      }
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`worker fuzz: ${rows.length} runs through a worker process, ${seconds} s; outcomes: ${JSON.stringify(Object.fromEntries([...outcomes].sort()))}`);
    expect(rows).toHaveLength(60);
    expect(t.server.pool.list()[0].pid).toBe(pid);
  });
});
