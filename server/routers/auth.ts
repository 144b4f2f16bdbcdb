// auth.*: sign up, sign in, sign out, change password, who am I. Only with AUTH=local; passwords are hashed and
// never logged.
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { decoyHash, hashPassword, needsRehash, verifyPassword } from '../auth/password';
import { clientIp } from '../auth/client-ip';
import { RateLimitedError, type Attempt, type LimitName } from '../auth/rate-limit';
import { createSession, endSession, readCookie, SESSION_COOKIE, sessionCookie, sessionKey, sessionTerms } from '../auth/session';
import { createRouter, publicProcedure, signedInProcedure, type Context } from '../trpc';

export const username = z.string().trim().toLowerCase().min(3, 'a username has at least 3 characters').max(64)
  .regex(/^[a-z0-9_.-]+$/, 'use letters, digits, dot, dash or underscore');
export const password = z.string().min(8, 'a password has at least 8 characters').max(256);
const credentials = z.object({ username, password });
const WRONG = 'wrong username or password';

function requireLocal(ctx: Context): void {
  if (!ctx.viewer.enforced) {
    throw new TRPCError({ code: 'PRECONDITION_FAILED', message: 'accounts are off on this server (AUTH=none); set AUTH=local to use them' });
  }
}

function ipOf(ctx: Context): string {
  return ctx.req ? clientIp(ctx.req, ctx.env.TRUST_PROXY) : 'local';
}

async function startSession(ctx: Context, user: { id: string; username: string; isAdmin: boolean }) {
  const s = await createSession(ctx.db, user.id, sessionTerms(ctx.env));
  if (ctx.req && ctx.res) ctx.res.appendHeader('Set-Cookie', sessionCookie(ctx.req, s.id, s.expiresAt));
  return { user: { id: user.id, username: user.username, isAdmin: user.isAdmin } };
}

/** Counts the attempt before any work; over a limit → TOO_MANY_REQUESTS (HTTP 429) with Retry-After. */
async function reserve(ctx: Context, ...pairs: [LimitName, string][]): Promise<Attempt[]> {
  try {
    return await ctx.authLimits.reserve(...pairs);
  } catch (e) {
    if (e instanceof RateLimitedError) {
      ctx.res?.setHeader('Retry-After', String(e.retryAfterSeconds));
      throw new TRPCError({ code: 'TOO_MANY_REQUESTS', message: e.message, cause: e });
    }
    throw e;
  }
}

export const authRouter = createRouter({
  me: publicProcedure.input(z.void()).query(({ ctx }) => ({
    auth: ctx.env.AUTH,
    /** closed: only admins create accounts (Admin page). */
    signup: ctx.env.SIGNUP,
    user: ctx.viewer.user,
  })),

  signUp: publicProcedure.input(credentials).mutation(async ({ ctx, input }) => {
    requireLocal(ctx);
    if (ctx.env.SIGNUP === 'closed') {
      throw new TRPCError({ code: 'FORBIDDEN', message: 'sign-up is closed on this server; ask an admin for an account' });
    }
    // Every attempt counts, taken name or not: each new account costs a password hash, and names must not be probed fast.
    await reserve(ctx, ['signUpIp', ipOf(ctx)]);
    if (await ctx.db.user.findUnique({ where: { username: input.username } })) {
      throw new TRPCError({ code: 'CONFLICT', message: `the username "${input.username}" is taken; choose another` });
    }
    const user = await ctx.db.user.create({ data: { username: input.username, passwordHash: await hashPassword(input.password) } });
    ctx.log(`user ${user.username} signed up`);
    return startSession(ctx, user);
  }),

  signIn: publicProcedure.input(credentials).mutation(async ({ ctx, input }) => {
    requireLocal(ctx);
    const ip = ipOf(ctx);
    // Reserve, then verify: 50 parallel guesses must not all pass a check made before any of them failed.
    const [, ipAttempt] = await reserve(ctx, ['signInAccount', input.username], ['signInIp', ip]);
    const user = await ctx.db.user.findUnique({ where: { username: input.username } });
    const ok = await verifyPassword(input.password, user?.passwordHash ?? (await decoyHash()));
    if (!user || !ok) {
      ctx.log(`failed sign-in for ${input.username} from ${ip}`);
      throw new TRPCError({ code: 'UNAUTHORIZED', message: WRONG });
    }
    await ctx.authLimits.reset('signInAccount', input.username);
    ipAttempt.release();
    if (needsRehash(user.passwordHash)) {
      // Only if unchanged meanwhile: a password change racing this sign-in must win.
      const { count } = await ctx.db.user.updateMany({
        where: { id: user.id, passwordHash: user.passwordHash }, data: { passwordHash: await hashPassword(input.password) },
      });
      if (count) ctx.log(`password hash of ${user.username} upgraded to the current scrypt cost`);
    }
    ctx.log(`user ${user.username} signed in`);
    return startSession(ctx, user);
  }),

  /**
   * Changes my password (the current one is asked again: a borrowed, signed-in browser must not be enough) and
   * signs out every other browser of mine. Failed attempts count against the same per-account limit as sign-in.
   */
  changePassword: signedInProcedure('change your password')
    .input(z.object({ currentPassword: z.string().min(1, 'enter your current password').max(256), newPassword: password }))
    .mutation(async ({ ctx, input }) => {
      requireLocal(ctx);
      const me = ctx.viewer.user;
      if (!me) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'sign in to change your password' });
      const [attempt] = await reserve(ctx, ['signInAccount', me.username]);
      const user = await ctx.db.user.findUniqueOrThrow({ where: { id: me.id } });
      if (!(await verifyPassword(input.currentPassword, user.passwordHash))) {
        throw new TRPCError({ code: 'FORBIDDEN', message: 'the current password is wrong' });
      }
      attempt.release();
      if (input.newPassword === input.currentPassword) {
        throw new TRPCError({ code: 'BAD_REQUEST', message: 'the new password is the same as the current one' });
      }
      await ctx.db.user.update({ where: { id: me.id }, data: { passwordHash: await hashPassword(input.newPassword) } });
      const sid = readCookie(ctx.req?.headers.cookie, SESSION_COOKIE);
      const { count } = await ctx.db.session.deleteMany({
        where: { userId: me.id, ...(sid ? { id: { not: sessionKey(sid) } } : {}) },
      });
      await ctx.accessChanges.publish({ kind: 'user', userId: me.id });
      ctx.log(`user ${me.username} changed their password; ${count} other session(s) signed out`);
      return { otherSessionsSignedOut: count };
    }),

  signOut: publicProcedure.input(z.void()).mutation(async ({ ctx }) => {
    requireLocal(ctx);
    const sid = readCookie(ctx.req?.headers.cookie, SESSION_COOKIE);
    if (sid) await endSession(ctx.db, sid);
    if (ctx.viewer.user) await ctx.accessChanges.publish({ kind: 'user', userId: ctx.viewer.user.id });
    if (ctx.req && ctx.res) ctx.res.appendHeader('Set-Cookie', sessionCookie(ctx.req, '', null));
    return { signedOut: true as const };
  }),
});
