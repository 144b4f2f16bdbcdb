// runs.*: enqueue (validated, seeds applied), cancel, step-debug controls, one run in detail, run history.
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import type { Graph } from '../../nodes/engine/graph';
import type { OutputSummary, RunStatus, RunWarning } from '../../nodes/engine/events';
import type { ChannelStats } from '../../nodes/runtime/tensor';
import { previewSize } from '../../nodes/models/latent-preview';
import { artifactUrl } from '../artifacts/store';
import { stepFrameUrl, type StepFrameKind } from '../steps/frame-http';
import { StepStore } from '../steps/step-store';
import type { Run } from '../generated/prisma/client';
import { POOL_PATTERN, POOL_SHAPE } from '../queue/pools';
import type { RunQueue } from '../queue/queue';
import { breakpointsSchema } from '../worker/protocol-schema';
import { rateOutput, raterKeyOf, RatingError, ratingsBy } from '../ratings';
import { controllableRun } from '../auth/access';
import {
  createRouter, runControllerProcedure, runnerProcedure, runViewerProcedure, signedInProcedure,
} from '../trpc';

type ArtifactKind = 'image' | 'temp' | 'preview' | 'preview-latent' | 'inspect';
interface StepInfo { total: number; sigma?: number; timestep?: number; stats: ChannelStats[] }
interface StepImage { id: string; url: string; width: number; height: number }
export interface RunStep extends StepInfo { step: number; image: StepImage; latent: StepImage | null }

const runId = z.string().min(1).max(100);
const nodeId = z.string().min(1).max(200);
const shareToken = z.string().min(1).max(200).optional();

/** Whose ratings a caller reads and gives: null for a visitor who is not signed in (accounts on), who may not rate. */
function raterOf(viewer: { enforced: boolean; user: { id: string } | null }): string | null {
  return viewer.enforced && !viewer.user ? null : raterKeyOf(viewer.user?.id ?? null);
}

/** What runs.get and runs.list both say about a run: identity, workflow, state, timing, error. */
function runHeader(run: Run & { workflow: { name: string } | null }, queue: RunQueue) {
  return {
    id: run.id,
    workflowId: run.workflowId,
    workflowName: run.workflow?.name ?? null,
    workflowVersion: run.workflowVersion,
    status: run.status as RunStatus,
    position: queue.positionOf(run.id) ?? null,
    queuedAt: run.queuedAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    totalMs: run.totalMs,
    error: run.errorCode ? { nodeId: run.errorNodeId ?? undefined, code: run.errorCode, message: run.errorMessage ?? '' } : null,
  };
}

const enqueueInput = z
  .object({
    /** A graph (the editor's current one). Validated by the engine: problems come back coded. */
    graph: z.unknown().optional(),
    /** With a graph: the workflow the run belongs to. Without: run this workflow's saved version. */
    workflowId: z.string().min(1).max(100).optional(),
    version: z.number().int().min(1).optional(),
    /** "Run to here": these nodes and their ancestors; default every output node. */
    targets: z.array(nodeId).min(1).max(1000).optional(),
    debug: breakpointsSchema.optional(),
    priority: z.number().int().min(-100).max(100).optional(),
    /** A link-shared workflow's token, to run it. */
    shareToken,
    /** Batch count: queue this many runs (seed controls apply run after run); at most MAX_BATCH_COUNT. */
    count: z.number().int().min(1).optional(),
    /** Scaled mode: the worker pool to wait for (`npm run worker -- --pool NAME`); default the graph's meta.pool, else "default". */
    pool: z.string().regex(POOL_PATTERN, `a pool name is ${POOL_SHAPE}`).optional(),
  })
  .refine((v) => v.graph !== undefined || v.workflowId !== undefined, { message: 'give a graph or a workflowId', path: ['graph'] });

export const runsRouter = createRouter({
  /**
   * Returns the graph as it will run (random / incremented seeds applied; with `count`, the last run's) and the
   * queue position (1 = next) of the first run; `runs` lists every run queued.
   */
  enqueue: runnerProcedure.input(enqueueInput).mutation(async ({ ctx, input }) => {
    const user = ctx.user;
    const { shareToken: _token, ...request } = input;
    return ctx.queue.enqueue({ ...request, userId: user?.id ?? null, admin: !ctx.viewer.enforced || Boolean(user?.isAdmin) }, ctx.req);
  }),

  cancel: runControllerProcedure
    .input(z.object({ runId, reason: z.string().max(500).optional() }))
    .mutation(async ({ ctx, input }) => {
      return ctx.queue.cancel(input.runId, input.reason);
    }),

  /** Clears my waiting runs (all of one workflow, or all): a batch queued by mistake goes in one call. */
  cancelQueued: signedInProcedure('cancel runs')
    .input(z.object({ workflowId: z.string().min(1).max(100).optional() }))
    .mutation(async ({ ctx, input }) => {
      const user = ctx.user;
      const rows = await ctx.db.run.findMany({
        where: { status: 'queued', workflowId: input.workflowId, ...(ctx.viewer.enforced ? { userId: user!.id } : {}) },
        select: { id: true },
      });
      let cancelled = 0;
      for (const r of rows) {
        // A run that started meanwhile is not "queued" any more: cancel answers with its real status.
        if ((await ctx.queue.cancel(r.id, 'cleared from the queue', { onlyQueued: true })).status === 'cancelled') cancelled++;
      }
      return { cancelled };
    }),

  /**
   * Stops a whole "Run ×N" submission: its waiting runs first (so none starts when a running one frees its worker),
   * then its running ones (several may share one batched sampling loop). Runs already over are left as they are.
   */
  cancelBatch: signedInProcedure('cancel runs')
    .input(z.object({ runIds: z.array(runId).min(1).max(10_000), reason: z.string().max(500).optional() }))
    .mutation(async ({ ctx, input }) => {
      const ids = [...new Set(input.runIds)];
      // Every run must be the caller's to control before any is touched: a batch stops whole or not at all.
      for (const id of ids) await controllableRun(ctx.db, ctx.viewer, id);
      const reason = input.reason ?? 'batch stopped by user';
      const runs: { runId: string; status: RunStatus | 'cancelling' }[] = [];
      for (const id of ids) runs.push(await ctx.queue.cancel(id, reason, { onlyQueued: true }));
      for (const [i, r] of runs.entries()) {
        if (r.status === 'queued' || r.status === 'running') runs[i] = await ctx.queue.cancel(r.runId, reason);
      }
      return { runs };
    }),

  /** Step debugging: pause at the next step, resume, or run one step and pause again. */
  debug: runControllerProcedure
    .input(z.object({ runId, command: z.enum(['pause', 'resume', 'step']) }))
    .mutation(async ({ ctx, input }) => {
      if (!(await ctx.queue.debug(input.runId, input.command))) {
        throw new TRPCError({ code: 'CONFLICT', message: `run "${input.runId}" is not running on a worker` });
      }
      return { runId: input.runId, command: input.command };
    }),

  /** Replace a running run's breakpoints (e.g. "break every step" toggled while it runs). */
  breakpoints: runControllerProcedure
    .input(z.object({ runId, breakpoints: breakpointsSchema }))
    .mutation(async ({ ctx, input }) => {
      if (!(await ctx.queue.setBreakpoints(input.runId, input.breakpoints))) {
        throw new TRPCError({ code: 'CONFLICT', message: `run "${input.runId}" is not running on a worker` });
      }
      return { runId: input.runId };
    }),

  /**
   * Rates an output image 1–5 (MOS in the monitoring): anyone who may view the run (signed in, with accounts); one
   * rating per person and image, a second replaces the first. Default image: the run's first output.
   */
  rate: runViewerProcedure
    .input(z.object({ runId, shareToken, artifactId: z.string().min(1).max(100).optional(), score: z.number().int().min(1).max(5) }))
    .mutation(async ({ ctx, input }) => {
      if (ctx.viewer.enforced && !ctx.viewer.user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'sign in to rate images' });
      try {
        return await rateOutput(ctx.db, {
          runId: input.runId, artifactId: input.artifactId, score: input.score as 1 | 2 | 3 | 4 | 5, userId: ctx.viewer.user?.id ?? null,
        }, ctx.metrics);
      } catch (e) {
        if (e instanceof RatingError) throw new TRPCError({ code: 'BAD_REQUEST', message: e.message, cause: e });
        throw e;
      }
    }),

  /** My scores of this run's output images (for the rating widgets); `canRate` false for a visitor not signed in. */
  ratings: runViewerProcedure.input(z.object({ runId, shareToken })).query(async ({ ctx, input }) => {
    const rater = raterOf(ctx.viewer);
    const mine = await ratingsBy(ctx.db, rater, [input.runId]);
    return { canRate: rater !== null, ratings: [...mine].map(([artifactId, score]) => ({ artifactId, score })) };
  }),

  get: runViewerProcedure.input(z.object({ runId, shareToken })).query(async ({ ctx, input }) => {
    const run = await ctx.db.run.findUnique({
      where: { id: input.runId },
      include: {
        nodeResults: true,
        // The library card's WebP is the workflow's, not one of the run's outputs.
        artifacts: { where: { kind: { not: 'thumbnail' } }, orderBy: [{ kind: 'asc' }, { step: 'asc' }, { createdAt: 'asc' }, { id: 'asc' }] },
        workflow: { select: { name: true } },
      },
    });
    if (!run) throw new TRPCError({ code: 'NOT_FOUND', message: `no run "${input.runId}"` });
    const mine = await ratingsBy(ctx.db, raterOf(ctx.viewer), [run.id]);
    const artifacts = run.artifacts.map((a) => ({
      id: a.id, nodeId: a.nodeId, kind: a.kind as ArtifactKind, step: a.step, filename: a.filename, mime: a.mime,
      sha256: a.sha256, size: a.size, width: a.width, height: a.height, url: artifactUrl(a.id), createdAt: a.createdAt,
      /** The caller's score of this output image (1–5), null when not rated (or not an output image). */
      myRating: mine.get(a.id) ?? null,
    }));
    return {
      ...runHeader(run, ctx.queue),
      graph: JSON.parse(run.graph) as Graph,
      priority: run.priority,
      workerId: run.workerId,
      ortMs: run.ortMs,
      /** Text encoders answered from the worker's prompt cache, or run; null when the cache was off. */
      promptCache: run.promptCacheHits === null || run.promptCacheMisses === null
        ? null : { hits: run.promptCacheHits, misses: run.promptCacheMisses },
      targets: run.targets ? (JSON.parse(run.targets) as string[]) : null,
      nodes: run.nodeResults.map((n) => ({
        id: n.nodeId, type: n.type, status: n.status, ms: n.ms, ortMs: n.ortMs, cached: n.cached,
        outputs: JSON.parse(n.outputs) as OutputSummary[],
        batch: n.batch ? (JSON.parse(n.batch) as { size: number; reason?: string }) : null,
        /** Run-level warnings of this node (e.g. a LoRA applied to 0 of its layers); empty when none. */
        warnings: n.warnings ? (JSON.parse(n.warnings) as RunWarning[]) : [],
      })),
      /** Output images (kind 'image'), then step previews (kind 'preview') by step, then Preview Image pictures ('temp'). */
      artifacts,
    };
  }),

  /**
   * A sampler node's stored steps, for the debugger's timeline: per step sigma/timestep, per-channel latent stats and
   * the URLs of its predicted x0 and noisy latent, drawn when requested (server/steps/frame-http.ts). Every step a
   * watched run made is there; empty when nobody watched or the run's steps were pruned.
   */
  steps: runViewerProcedure.input(z.object({ runId, nodeId, shareToken })).query(async ({ ctx, input }): Promise<RunStep[]> => {
    const stored = await new StepStore(ctx.artifacts.dataDir).list(input.runId, input.nodeId);
    return stored.map((s) => {
      const size = previewSize(s.dims[1], s.dims[2]);
      const frame = (kind: StepFrameKind): StepImage => ({ id: `${s.offset}-${kind}`, url: stepFrameUrl(input.runId, s.offset, kind), ...size });
      return {
        step: s.step, total: s.total, sigma: s.sigma ?? undefined, timestep: s.timestep ?? undefined, stats: s.stats,
        image: frame('x0'), latent: s.hasLatent ? frame('latent') : null,
      };
    });
  }),

  /** The run's nodes that have stored steps (a timeline to open), with their step counts; empty when none or pruned. */
  stepNodes: runViewerProcedure.input(z.object({ runId, shareToken })).query(async ({ ctx, input }) => {
    return new StepStore(ctx.artifacts.dataDir).nodes(input.runId);
  }),

  /** Newest first; `nextCursor` is the id to pass as `cursor` for the following page. */
  list: signedInProcedure('see your runs')
    .input(z.object({
      workflowId: z.string().min(1).max(100).optional(),
      status: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted']).optional(),
      cursor: runId.optional(),
      limit: z.number().int().min(1).max(100).default(20),
    }))
    .query(async ({ ctx, input }) => {
      // With accounts, my runs only (admins too: history is personal).
      const user = ctx.user;
      const rows = await ctx.db.run.findMany({
        where: { workflowId: input.workflowId, status: input.status, ...(ctx.viewer.enforced ? { userId: user!.id } : {}) },
        orderBy: [{ queuedAt: 'desc' }, { id: 'desc' }],
        take: input.limit + 1,
        ...(input.cursor ? { cursor: { id: input.cursor }, skip: 1 } : {}),
        include: {
          workflow: { select: { name: true } },
          artifacts: { where: { kind: 'image' }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], take: 1, select: { id: true } },
        },
      });
      const page = rows.slice(0, input.limit);
      const mine = await ratingsBy(ctx.db, raterOf(ctx.viewer), page.map((r) => r.id));
      return {
        items: page.map((r) => ({
          ...runHeader(r, ctx.queue),
          thumbnailUrl: r.artifacts[0] ? artifactUrl(r.artifacts[0].id) : null,
          /** The first output image (the one shown and rated in the list), and my score of it. */
          outputId: r.artifacts[0]?.id ?? null,
          myRating: r.artifacts[0] ? (mine.get(r.artifacts[0].id) ?? null) : null,
        })),
        nextCursor: rows.length > input.limit ? page[page.length - 1].id : null,
      };
    }),
});
