// tRPC setup: the request context (shared services + who is asking), the error formatter and the procedure builders.
import type http from 'node:http';
import { initTRPC, TRPCError } from '@trpc/server';
import superjson from 'superjson';
import { ZodError, z } from 'zod';
import type { GraphProblem } from '../nodes/engine/validate';
import type { Viewer } from './auth/access';
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

const t = initTRPC.context<Context>().create({
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
export const publicProcedure = t.procedure.use(csrfGuard);
export const createCallerFactory = t.createCallerFactory;
