// Scaled mode: a worker encodes step previews only while somebody watches (as in embedded mode), but the people
// watching may be on any web server. When a run or workflow room changes on this server, it counts the run's
// audience across all servers (the Redis adapter asks each one) and tells the run's worker on the control channel.
import { workflowRoomOf } from '../auth/access';
import type { Db } from '../db';
import type { StepflowIo } from '../socket';

/** Sockets in the run's room or its workflow's room, on every web server. */
export async function clusterListenerCount(io: StepflowIo, runId: string, workflowRoom: string | undefined): Promise<number> {
  const rooms = [`run:${runId}`, ...(workflowRoom ? [`workflow:${workflowRoom}`] : [])];
  return (await io.in(rooms).fetchSockets()).length;
}

const ROOM_FIELDS = { id: true, status: true, workflowId: true, userId: true, workflow: { select: { ownerId: true } } } as const;

export function watchClusterListeners(
  io: StepflowIo, db: Db, publish: (runId: string, count: number) => Promise<unknown>, log: (m: string) => void,
): { stop(): void } {
  const changed = new Set<string>();
  let timer: NodeJS.Timeout | undefined;

  async function flush(): Promise<void> {
    timer = undefined;
    const rooms = [...changed];
    changed.clear();
    const runIds = rooms.filter((r) => r.startsWith('run:')).map((r) => r.slice(4));
    const workflowIds = rooms.filter((r) => r.startsWith('workflow:')).map((r) => r.slice(9));
    const rows = await db.run.findMany({
      where: { status: { in: ['running', 'paused'] }, OR: [{ id: { in: runIds } }, { workflowId: { in: workflowIds } }] },
      select: ROOM_FIELDS,
    });
    for (const r of rows) await publish(r.id, await clusterListenerCount(io, r.id, workflowRoomOf(r)));
  }

  // Joins come in bursts (an editor joins its workflow and its run together): count once per burst.
  const onRoom = (room: string) => {
    if (!room.startsWith('run:') && !room.startsWith('workflow:')) return;
    changed.add(room);
    timer ??= setTimeout(() => void flush().catch((e: Error) => log(`preview audience update failed: ${e.message}`)), 100);
  };
  const adapter = io.of('/').adapter;
  adapter.on('join-room', onRoom);
  adapter.on('leave-room', onRoom);
  return {
    stop() {
      clearTimeout(timer);
      adapter.off('join-room', onRoom);
      adapter.off('leave-room', onRoom);
    },
  };
}
