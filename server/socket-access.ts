// Who may be in which Socket.io room (AUTH=local): the join check, and the re-check of open sockets when access
// changes (auth/access-changes.ts), which takes sockets out of rooms they may no longer watch and disconnects
// sockets whose session ended (password reset, user deleted).
import type { Socket } from 'socket.io';
import { z } from 'zod';
import { mayViewRun, ownsWorkflow, type Viewer } from './auth/access';
import type { AccessChange, AccessChanges } from './auth/access-changes';
import { userFromCookie } from './auth/session';
import type { Db } from './db';
import { roomOf } from './socket-types';

export const targetSchema = z.union([
  z.object({ runId: z.string().min(1).max(100), shareToken: z.string().max(200).optional() }).strict(),
  z.object({ workflowId: z.string().min(1).max(100) }).strict(),
]);
export type JoinTarget = z.infer<typeof targetSchema>;

export interface SocketAccess {
  db: Db;
  /** AUTH=local: joins are checked against the session cookie of the handshake. */
  enforced: boolean;
  /** Where routers announce access changes; without it, rights are only checked at join. */
  changes?: AccessChanges;
}

/** What was checked at join: the target (with its share token) and the workflow it depends on. */
interface Joined { target: JoinTarget; workflowId: string | null }
/** `userId`: who the handshake's session belonged to (resolving; null = anonymous). */
interface Tracked { socket: Socket; userId: Promise<string | null>; rooms: Map<string, Joined> }

/**
 * A run room is open to whoever may view the run; a workflow room only to the workflow's owner (and admins),
 * because it carries every run of its owner. `workflowId`: the workflow the right came through.
 */
async function check(db: Db, viewer: Viewer, target: JoinTarget): Promise<{ ok: boolean; workflowId: string | null }> {
  if ('runId' in target) {
    const run = await db.run.findUnique({ where: { id: target.runId }, select: { userId: true, workflowId: true } });
    return { ok: Boolean(run && (await mayViewRun(db, viewer, run, target.shareToken))), workflowId: run?.workflowId ?? null };
  }
  const w = await db.workflow.findFirst({ where: { id: target.workflowId, deletedAt: null } });
  return { ok: Boolean(w && (ownsWorkflow(viewer, w) || viewer.user?.isAdmin)), workflowId: target.workflowId };
}

export class SocketRooms {
  private readonly tracked = new Map<string, Tracked>();
  /** Bumped on every change: a join checked before a change is checked again after it joined. */
  private generation = 0;

  constructor(private readonly access: SocketAccess) {
    access.changes?.subscribe((c) => this.recheck(c));
  }

  private async viewerOf(socket: Socket): Promise<Viewer> {
    return { enforced: true, user: await userFromCookie(this.access.db, socket.handshake.headers.cookie) };
  }

  /** Tracks a new socket's user, so a password reset or deletion can find it before it joins anything. */
  connected(socket: Socket): void {
    if (!this.access.enforced) return;
    // Tracked at once (its user still resolving), so a join racing this lookup is recorded and re-checked too.
    const userId = this.viewerOf(socket).then((v) => v.user?.id ?? null, () => null);
    this.tracked.set(socket.id, { socket, userId, rooms: new Map() });
    socket.on('disconnect', () => this.tracked.delete(socket.id));
  }

  /** Checks the join and puts the socket in the room; false when refused. */
  async join(socket: Socket, target: JoinTarget): Promise<boolean> {
    const room = roomOf(target);
    if (!this.access.enforced) {
      await socket.join(room);
      return true;
    }
    const before = this.generation;
    const verdict = await this.viewerOf(socket).then((v) => check(this.access.db, v, target)).catch(() => ({ ok: false, workflowId: null }));
    if (!verdict.ok) return false;
    await socket.join(room);
    this.tracked.get(socket.id)?.rooms.set(room, { target, workflowId: verdict.workflowId });
    if (this.generation !== before) {
      // Access changed while this join was being checked: the check above may be stale.
      const again = await this.viewerOf(socket).then((v) => check(this.access.db, v, target)).catch(() => ({ ok: false }));
      if (!again.ok) {
        this.leave(socket, room);
        return false;
      }
    }
    return true;
  }

  leave(socket: Socket, room: string): void {
    void socket.leave(room);
    this.tracked.get(socket.id)?.rooms.delete(room);
  }

  private async recheck(change: AccessChange): Promise<void> {
    this.generation++;
    await Promise.all([...this.tracked.values()].map(async (t) => {
      const userId = await t.userId;
      if (change.kind === 'user' && userId !== change.userId) return;
      const rooms = [...t.rooms].filter(([, j]) => change.kind === 'user' || j.workflowId === change.workflowId);
      if (change.kind === 'workflow' && rooms.length === 0) return;
      const viewer = await this.viewerOf(t.socket).catch(() => ({ enforced: true, user: null }));
      if (userId !== null && viewer.user?.id !== userId) {
        // Signed out under it (password reset, account deleted): nothing this socket holds is vouched for.
        t.socket.disconnect(true);
        return;
      }
      for (const [room, joined] of rooms) {
        const verdict = await check(this.access.db, viewer, joined.target).catch(() => ({ ok: false }));
        if (!verdict.ok) this.leave(t.socket, room);
      }
    }));
  }
}
