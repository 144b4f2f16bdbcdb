// tokens.*: a signed-in user's personal API tokens for the HTTP API (list, create — shown once —, revoke).
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { newApiToken } from '../auth/api-token';
import type { AuthUser } from '../auth/session';
import { createRouter, signedInProcedure, type Context } from '../trpc';

/** Enough for every script and machine a person runs; more is a leak waiting to happen. */
const MAX_TOKENS_PER_USER = 50;
const name = z.string().trim().min(1, 'give the token a name (e.g. the script that uses it)').max(100);
const select = { id: true, name: true, prefix: true, createdAt: true, lastUsedAt: true } as const;

export interface ApiTokenSummary {
  id: string;
  name: string;
  /** The token's first characters ("sf_AbCdEfG"), to tell tokens apart. */
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** Tokens exist only with accounts on; the builder has already required a signed-in user. */
function tokenUser(ctx: Context & { user: AuthUser | null }): AuthUser {
  if (!ctx.user) {
    throw new TRPCError({
      code: 'PRECONDITION_FAILED',
      message: 'API tokens are not needed on this server (AUTH=none): the HTTP API answers without one. Set AUTH=local to use accounts and tokens',
    });
  }
  return ctx.user;
}

export const tokensRouter = createRouter({
  /** Mine, newest first. The tokens themselves are never shown again. */
  list: signedInProcedure('see your API tokens').input(z.void()).query(async ({ ctx }): Promise<ApiTokenSummary[]> => {
    const user = tokenUser(ctx);
    return ctx.db.apiToken.findMany({ where: { userId: user.id }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], select });
  }),

  /** Returns the token once; only its sha256 and prefix are stored. */
  create: signedInProcedure('create API tokens').input(z.object({ name })).mutation(async ({ ctx, input }): Promise<ApiTokenSummary & { token: string }> => {
    const user = tokenUser(ctx);
    const count = await ctx.db.apiToken.count({ where: { userId: user.id } });
    if (count >= MAX_TOKENS_PER_USER) {
      throw new TRPCError({ code: 'PRECONDITION_FAILED', message: `you have ${count} API tokens, the most allowed; revoke the ones you no longer use` });
    }
    const { token, tokenHash, prefix } = newApiToken();
    const row = await ctx.db.apiToken.create({ data: { userId: user.id, name: input.name, tokenHash, prefix }, select });
    ctx.log(`user ${user.username} created API token "${input.name}" (${prefix}…)`);
    return { ...row, token };
  }),

  /** Revoked at once: the next request with it gets 401. */
  revoke: signedInProcedure('revoke API tokens').input(z.object({ id: z.string().min(1).max(100) })).mutation(async ({ ctx, input }) => {
    const user = tokenUser(ctx);
    const { count } = await ctx.db.apiToken.deleteMany({ where: { id: input.id, userId: user.id } });
    if (count === 0) throw new TRPCError({ code: 'NOT_FOUND', message: `no API token "${input.id}" (it may have been revoked already)` });
    ctx.log(`user ${user.username} revoked API token ${input.id}`);
    return { id: input.id, revoked: true as const };
  }),
});
