// tRPC setup: the request context (shared services + who is asking), the error formatter and the procedure builders.
// Every procedure starts from one of the builders at the end, which declares (meta.access) and enforces what it needs.
import type http from 'node:http';
import { initTRPC, TRPCError } from '@trpc/server';
import superjson from 'superjson';
import { ZodError, z } from 'zod';
import type { GraphProblem } from '../nodes/engine/validate';
import {
  controllableRun, ownedWorkflow, requireAdmin, requireUser, viewableRun, viewableWorkflow, type Viewer,
} from './auth/access';
import { RateLimitedError } from './auth/rate-limit';
import { foreignOrigin } from './http/origin';
import type { Services } from './services';

export interface Context extends Services {
  viewer: Viewer;
  /** Absent for server-side callers (createCaller). */
  req?: http.IncomingMessage;
  res?: http.ServerResponse;
}

/** Problems travel in `error.data.problems`; thrown with BAD_REQUEST by graph-taking procedures. */
export class GraphRejectedError extends Error {
  constructor(message: string, readonly problems: GraphProblem[]) {
    super(message);
    this.name = 'GraphRejectedError';
  }
}

/**
 * What a procedure requires, read from its builder (server/trpc-access.test.ts lists every procedure's):
 * - public: anyone, signed in or not;
 * - signedIn: a signed-in user (AUTH=local);
 * - admin: a signed-in admin, accounts on;
 * - operator: a signed-in admin with accounts on; anyone with AUTH=none (its one trusted user): monitoring;
 * - workflowViewer / workflowOwner: may view / owns the workflow `input.id` (with `input.shareToken`);
 * - signedInWorkflowViewer: signed in and may view the workflow `input.id` (fork);
 * - runner: signed in and, when `input.workflowId` is given, may view that workflow (enqueue);
 * - runViewer / runController: may view / control (cancel, debug) the run `input.runId`.
 */
export type ProcedureAccess =
  | 'public' | 'signedIn' | 'admin' | 'operator' | 'workflowViewer' | 'workflowOwner' | 'signedInWorkflowViewer' | 'runner'
  | 'runViewer' | 'runController';

export interface ProcedureMeta {
  access: ProcedureAccess;
}

const t = initTRPC.context<Context>().meta<ProcedureMeta>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    return {
      ...shape,
      data: {
        ...shape.data,
        // The flattened form maps each input field to its messages, which forms can show inline.
        zodError: cause instanceof ZodError ? z.flattenError(cause) : null,
        problems: cause instanceof GraphRejectedError ? cause.problems : null,
        retryAfter: cause instanceof RateLimitedError ? cause.retryAfterSeconds : null,
      },
    };
  },
});

/**
 * CSRF: with accounts on, a mutation must be a JSON POST (a cross-site form cannot send one without a CORS
 * preflight, which we never grant) and, when the browser names its Origin, come from this very host.
 */
function crossSiteReason(req: http.IncomingMessage): string | null {
  if (req.method !== 'POST') return 'changes must be sent with POST';
  if (!String(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) return 'changes must be sent as JSON';
  if (req.headers['sec-fetch-site'] === 'cross-site') return 'cross-site request refused';
  const foreign = foreignOrigin(req);
  return foreign === null ? null : `request from another site (${foreign}) refused`;
}

const csrfGuard = t.middleware(({ ctx, type, next }) => {
  if (type === 'mutation' && ctx.viewer.enforced && ctx.req) {
    const reason = crossSiteReason(ctx.req);
    if (reason) throw new TRPCError({ code: 'FORBIDDEN', message: reason });
  }
  return next();
});

export const createRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

/** The CSRF-guarded base every builder starts from (not exported: a procedure must say what it requires). */
const base = t.procedure.use(csrfGuard);
const workflowRef = z.object({ id: z.string().min(1).max(100), shareToken: z.string().min(1).max(200).optional() });
const runRef = z.object({ runId: z.string().min(1).max(100), shareToken: z.string().min(1).max(200).optional() });

export const publicProcedure = base.meta({ access: 'public' });

/** `user` is null only with AUTH=none (the single trusted user). `doing` completes "sign in to …". */
export const signedInProcedure = (doing: string) => base.meta({ access: 'signedIn' })
  .use(({ ctx, next }) => next({ ctx: { user: requireUser(ctx.viewer, doing) } }));

export const adminProcedure = base.meta({ access: 'admin' })
  .use(({ ctx, next }) => next({ ctx: { admin: requireAdmin(ctx.viewer) } }));

export const operatorProcedure = base.meta({ access: 'operator' })
  .use(({ ctx, next }) => {
    if (ctx.viewer.enforced) {
      if (!ctx.viewer.user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'sign in as an admin to see the monitoring' });
      if (!ctx.viewer.user.isAdmin) throw new TRPCError({ code: 'FORBIDDEN', message: 'only admins see the monitoring' });
    }
    return next();
  });

/** `ctx.workflow`: the workflow `input.id`, which this viewer may see (with `input.shareToken`). */
export const workflowViewerProcedure = base.meta({ access: 'workflowViewer' }).input(workflowRef)
  .use(async ({ ctx, input, next }) => next({ ctx: { workflow: await viewableWorkflow(ctx.db, ctx.viewer, input.id, input.shareToken) } }));

/** `ctx.workflow`: the workflow `input.id`, owned by the caller. `doing` completes "only the owner … may …". */
export const workflowOwnerProcedure = (doing: string) => base.meta({ access: 'workflowOwner' }).input(workflowRef.pick({ id: true }))
  .use(async ({ ctx, input, next }) => next({ ctx: { workflow: await ownedWorkflow(ctx.db, ctx.viewer, input.id, doing) } }));

export const signedInWorkflowViewerProcedure = (doing: string) => base.meta({ access: 'signedInWorkflowViewer' }).input(workflowRef)
  .use(async ({ ctx, input, next }) => {
    const user = requireUser(ctx.viewer, doing);
    return next({ ctx: { user, workflow: await viewableWorkflow(ctx.db, ctx.viewer, input.id, input.shareToken) } });
  });

export const runnerProcedure = base.meta({ access: 'runner' })
  .input(z.object({ workflowId: z.string().min(1).max(100).optional(), shareToken: z.string().min(1).max(200).optional() }))
  .use(async ({ ctx, input, next }) => {
    const user = requireUser(ctx.viewer, 'run graphs');
    if (input.workflowId && ctx.viewer.enforced) await viewableWorkflow(ctx.db, ctx.viewer, input.workflowId, input.shareToken);
    return next({ ctx: { user } });
  });

export const runViewerProcedure = base.meta({ access: 'runViewer' }).input(runRef)
  .use(async ({ ctx, input, next }) => {
    await viewableRun(ctx.db, ctx.viewer, input.runId, input.shareToken);
    return next();
  });

export const runControllerProcedure = base.meta({ access: 'runController' }).input(runRef.pick({ runId: true }))
  .use(async ({ ctx, input, next }) => {
    await controllableRun(ctx.db, ctx.viewer, input.runId);
    return next();
  });
