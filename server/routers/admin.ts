// admin.*: account management for admins (AUTH=local): list, create (the way in when SIGNUP=closed), reset a
// password, grant or take admin rights, delete. Nothing is lost: a deleted user's workflows move to the admin
// who deleted them; their runs stay in the history without an owner.
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { hashPassword } from '../auth/password';
import { adminProcedure, createRouter, type Context } from '../trpc';
import { password, username } from './auth';

const id = z.string().min(1).max(100);

async function findUser(ctx: Context, userId: string) {
  const u = await ctx.db.user.findUnique({ where: { id: userId } });
  if (!u) throw new TRPCError({ code: 'NOT_FOUND', message: `no user "${userId}"` });
  return u;
}

export const adminRouter = createRouter({
  users: adminProcedure.input(z.void()).query(async ({ ctx }) => {
    const rows = await ctx.db.user.findMany({
      orderBy: { username: 'asc' },
      select: {
        id: true, username: true, isAdmin: true, createdAt: true,
        _count: { select: { workflows: { where: { deletedAt: null } }, runs: true, sessions: true, apiTokens: true } },
      },
    });
    return rows.map(({ _count, ...u }) => ({
      ...u, workflows: _count.workflows, runs: _count.runs, sessions: _count.sessions, apiTokens: _count.apiTokens,
    }));
  }),

  createUser: adminProcedure
    .input(z.object({ username, password, isAdmin: z.boolean().default(false) }))
    .mutation(async ({ ctx, input }) => {
      const me = ctx.admin;
      if (await ctx.db.user.findUnique({ where: { username: input.username } })) {
        throw new TRPCError({ code: 'CONFLICT', message: `the username "${input.username}" is taken; choose another` });
      }
      const u = await ctx.db.user.create({
        data: { username: input.username, passwordHash: await hashPassword(input.password), isAdmin: input.isAdmin },
      });
      ctx.log(`admin ${me.username} created ${u.isAdmin ? 'admin' : 'user'} ${u.username}`);
      return { id: u.id, username: u.username, isAdmin: u.isAdmin };
    }),

  /** Sets a new password (tell it to the user) and signs them out everywhere. */
  resetPassword: adminProcedure
    .input(z.object({ id, password }))
    .mutation(async ({ ctx, input }) => {
      const me = ctx.admin;
      const u = await findUser(ctx, input.id);
      await ctx.db.user.update({ where: { id: u.id }, data: { passwordHash: await hashPassword(input.password) } });
      const { count } = await ctx.db.session.deleteMany({ where: { userId: u.id } });
      await ctx.accessChanges.publish({ kind: 'user', userId: u.id });
      ctx.log(`admin ${me.username} reset the password of ${u.username}; ${count} session(s) ended`);
      return { id: u.id, sessionsEnded: count };
    }),

  setAdmin: adminProcedure
    .input(z.object({ id, isAdmin: z.boolean() }))
    .mutation(async ({ ctx, input }) => {
      const me = ctx.admin;
      const u = await findUser(ctx, input.id);
      // An admin cannot drop their own rights: the server would risk having no admin at all.
      if (!input.isAdmin && u.id === me.id) {
        throw new TRPCError({ code: 'BAD_REQUEST', message: 'you cannot remove your own admin rights; ask another admin' });
      }
      await ctx.db.user.update({ where: { id: u.id }, data: { isAdmin: input.isAdmin } });
      await ctx.accessChanges.publish({ kind: 'user', userId: u.id });
      ctx.log(`admin ${me.username} ${input.isAdmin ? 'made' : 'removed'} ${u.username} ${input.isAdmin ? 'an admin' : 'as admin'}`);
      return { id: u.id, isAdmin: input.isAdmin };
    }),

  deleteUser: adminProcedure.input(z.object({ id })).mutation(async ({ ctx, input }) => {
    const me = ctx.admin;
    const u = await findUser(ctx, input.id);
    if (u.id === me.id) throw new TRPCError({ code: 'BAD_REQUEST', message: 'you cannot delete your own account here' });
    const movedIds = await ctx.db.$transaction(async (tx) => {
      // Private, in the deleting admin's library: shared links stop working, nothing is lost.
      const owned = await tx.workflow.findMany({ where: { ownerId: u.id }, select: { id: true } });
      await tx.workflow.updateMany({
        where: { ownerId: u.id }, data: { ownerId: me.id, visibility: 'private', shareToken: null },
      });
      await tx.user.delete({ where: { id: u.id } }); // sessions, API tokens and visits go with it; runs keep a null user
      return owned.map((w) => w.id);
    });
    const moved = movedIds.length;
    await ctx.accessChanges.publish({ kind: 'user', userId: u.id });
    for (const workflowId of movedIds) await ctx.accessChanges.publish({ kind: 'workflow', workflowId });
    ctx.log(`admin ${me.username} deleted user ${u.username}; ${moved} workflow(s) moved to ${me.username}`);
    return { id: u.id, deleted: true as const, workflowsMoved: moved };
  }),
});
