// tRPC setup: the request context (shared services), the error formatter and the procedure builders.
import { initTRPC } from '@trpc/server';
import superjson from 'superjson';
import { ZodError, z } from 'zod';
import type { GraphProblem } from '../nodes/engine/validate';
import type { Services } from './services';

export type Context = Services;

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
      },
    };
  },
});

export const createRouter = t.router;
export const publicProcedure = t.procedure;
export const createCallerFactory = t.createCallerFactory;
