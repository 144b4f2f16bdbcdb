// Who may do what (AUTH=local). With AUTH=none everybody is the one trusted user and may do everything.
// Rules: the owner edits; anyone who may view (public, link + token, admin) may view, run and fork;
// anonymous visitors may view public and link-shared workflows but not run or fork (they have no library).
import crypto from 'node:crypto';
import { TRPCError } from '@trpc/server';
import type { Db } from '../db';
import type { Run, Workflow } from '../generated/prisma/client';
import type { AuthUser } from './session';

export type Visibility = 'private' | 'link' | 'public';

export interface Viewer {
  /** false = AUTH=none */
  enforced: boolean;
  user: AuthUser | null;
}

export function newShareToken(): string {
  return crypto.randomBytes(24).toString('base64url'); // 192 bits
}

function sameToken(a: string | null | undefined, b: string | null | undefined): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

export function ownsWorkflow(v: Viewer, w: Workflow): boolean {
  return !v.enforced || (v.user !== null && w.ownerId === v.user.id);
}

export function mayViewWorkflow(v: Viewer, w: Workflow, shareToken?: string): boolean {
  if (ownsWorkflow(v, w) || v.user?.isAdmin || w.visibility === 'public') return true;
  return w.visibility === 'link' && sameToken(w.shareToken, shareToken);
}

/** Unknown and not-viewable look the same, so ids of private workflows cannot be probed. */
export function notFound(id: string): TRPCError {
  return new TRPCError({ code: 'NOT_FOUND', message: `no workflow "${id}" (it may have been deleted, or it is not shared with you)` });
}

export function requireUser(v: Viewer, doing: string): AuthUser | null {
  if (v.enforced && !v.user) throw new TRPCError({ code: 'UNAUTHORIZED', message: `sign in to ${doing}` });
  return v.user;
}

export async function viewableWorkflow(db: Db, v: Viewer, id: string, shareToken?: string): Promise<Workflow> {
  const w = await db.workflow.findFirst({ where: { id, deletedAt: null } });
  if (!w || !mayViewWorkflow(v, w, shareToken)) throw notFound(id);
  return w;
}

export async function ownedWorkflow(db: Db, v: Viewer, id: string, doing: string): Promise<Workflow> {
  requireUser(v, doing);
  const w = await db.workflow.findFirst({ where: { id, deletedAt: null } });
  if (!w || !mayViewWorkflow(v, w)) throw notFound(id);
  if (!ownsWorkflow(v, w)) throw new TRPCError({ code: 'FORBIDDEN', message: `only the owner of "${w.name}" may ${doing}; fork it to change your own copy` });
  return w;
}

/**
 * A run is seen by whoever started it, admins, and — for runs the workflow's owner started — anyone who may
 * view that workflow (its outputs are part of what was shared). Other users' runs of a shared workflow stay theirs.
 */
export async function mayViewRun(db: Db, v: Viewer, run: Pick<Run, 'userId' | 'workflowId'>, shareToken?: string): Promise<boolean> {
  if (!v.enforced || v.user?.isAdmin) return true;
  if (v.user && run.userId === v.user.id) return true;
  if (!run.workflowId) return false;
  const w = await db.workflow.findFirst({ where: { id: run.workflowId, deletedAt: null } });
  return Boolean(w && w.ownerId !== null && run.userId === w.ownerId && mayViewWorkflow(v, w, shareToken));
}

/** Cancel / debug: only the one who started it (or an admin). */
export function mayControlRun(v: Viewer, run: Pick<Run, 'userId'>): boolean {
  return !v.enforced || Boolean(v.user && (v.user.isAdmin || run.userId === v.user.id));
}

/** Not-mine and unknown look alike, so run ids cannot be probed. */
export async function viewableRun(db: Db, v: Viewer, id: string, shareToken?: string): Promise<void> {
  const run = await db.run.findUnique({ where: { id }, select: { userId: true, workflowId: true } });
  if (!run || !(await mayViewRun(db, v, run, shareToken))) throw new TRPCError({ code: 'NOT_FOUND', message: `no run "${id}"` });
}

export async function controllableRun(db: Db, v: Viewer, id: string): Promise<void> {
  if (!v.enforced) return;
  const run = await db.run.findUnique({ where: { id }, select: { userId: true, workflowId: true } });
  if (!run || !(await mayViewRun(db, v, run))) throw new TRPCError({ code: 'NOT_FOUND', message: `no run "${id}"` });
  if (!mayControlRun(v, run)) throw new TRPCError({ code: 'FORBIDDEN', message: `run "${id}" was started by someone else; only they can control it` });
}

/** Account management: accounts on, signed in, an admin. */
export function requireAdmin(v: Viewer): AuthUser {
  if (!v.enforced) {
    throw new TRPCError({ code: 'PRECONDITION_FAILED', message: 'accounts are off on this server (AUTH=none); there is nothing to administer' });
  }
  if (!v.user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'sign in as an admin to manage accounts' });
  if (!v.user.isAdmin) throw new TRPCError({ code: 'FORBIDDEN', message: 'only admins manage accounts' });
  return v.user;
}

/**
 * The workflow room a run is broadcast into: only runs the workflow's owner started (AUTH=none: every run, all
 * ownerless). A run made from someone else's workflow is the runner's; its owner never hears of it.
 */
export function workflowRoomOf(run: { workflowId: string | null; userId: string | null; workflow: { ownerId: string | null } | null }): string | undefined {
  return run.workflowId && run.workflow && run.workflow.ownerId === run.userId ? run.workflowId : undefined;
}
