// Socket.io on the HTTP server: rooms per run and per workflow; a run's events go to its room and, for runs
// its workflow's owner started, to the workflow's room. Who may join is socket-access.ts.
import type http from 'node:http';
import { Server, type ServerOptions } from 'socket.io';
import type { RunEvent } from '../nodes/engine/events';
import type { Db } from './db';
import { foreignOrigin } from './http/origin';
import type { SecurityHeaders } from './http/security-headers';
import type { RunBroadcaster, RunQueue } from './queue/queue';
import { SocketRooms, targetSchema, type SocketAccess } from './socket-access';

export type { SocketAccess } from './socket-access';
import { roomOf, type ClientToServerEvents, type RoomTarget, type ServerToClientEvents } from './socket-types';

export type StepflowIo = Server<ClientToServerEvents, ServerToClientEvents>;

export function attachSocket(
  httpServer: http.Server, queue: RunQueue, access: SocketAccess = { db: undefined as unknown as Db, enforced: false },
  securityHeaders?: SecurityHeaders,
  /** Scaled mode: the Socket.io Redis adapter, so a room spans every web server. */
  adapter?: ServerOptions['adapter'],
): { io: StepflowIo; broadcaster: RunBroadcaster } {
  const io: StepflowIo = new Server(httpServer, {
    serveClient: false,
    ...(adapter ? { adapter } : {}),
    // Next's dev server shares this HTTP server for its HMR websocket: leave other upgrades alone.
    destroyUpgrade: false,
    maxHttpBufferSize: 1e6,
    // A page on another site must not open a socket with this site's cookies (and watch runs): browsers always
    // send Origin on a handshake, so a foreign one is refused; clients without Origin (scripts, tests) are not browsers.
    allowRequest: (req, callback) => {
      const foreign = foreignOrigin(req);
      callback(foreign === null ? null : `socket from another site (${foreign}) refused`, foreign === null);
    },
  });

  // Engine.io answers /socket.io/ requests before the server's own handler runs: give its responses the same headers.
  if (securityHeaders) io.engine.on('headers', (headers: Record<string, string>, req: http.IncomingMessage) => Object.assign(headers, securityHeaders(req)));

  const rooms = io.of('/').adapter.rooms;
  const broadcaster: RunBroadcaster = {
    emit(event: RunEvent, workflowId) {
      const { type, ...payload } = event;
      let to = io.to(`run:${event.runId}`);
      if (workflowId) to = to.to(`workflow:${workflowId}`);
      (to.emit as (ev: string, p: unknown) => boolean)(type, payload);
    },
    listenerCount(runId, workflowId) {
      const a = rooms.get(`run:${runId}`);
      const b = workflowId ? rooms.get(`workflow:${workflowId}`) : undefined;
      if (!b) return a?.size ?? 0;
      if (!a) return b.size;
      let n = b.size;
      for (const id of a) if (!b.has(id)) n++;
      return n;
    },
  };

  io.of('/').adapter.on('join-room', () => queue.listenersChanged());
  io.of('/').adapter.on('leave-room', () => queue.listenersChanged());

  const roomAccess = new SocketRooms(access);
  io.on('connection', (socket) => {
    roomAccess.connected(socket);
    socket.on('join', async (raw: RoomTarget, ack) => {
      const reply = typeof ack === 'function' ? ack : () => undefined;
      const parsed = targetSchema.safeParse(raw);
      if (!parsed.success) return reply({ ok: false, error: 'join needs { runId } or { workflowId }' });
      const room = roomOf(parsed.data);
      if (!(await roomAccess.join(socket, parsed.data))) {
        return reply({ ok: false, error: `not allowed to watch ${room}: sign in, or open the share link` });
      }
      try {
        if ('runId' in parsed.data) reply({ ok: true, room, run: await queue.snapshot(parsed.data.runId) });
        else reply({ ok: true, room, active: await queue.activeRuns(parsed.data.workflowId) });
      } catch {
        reply({ ok: true, room });
      }
    });
    socket.on('leave', async (raw: RoomTarget, ack) => {
      const parsed = targetSchema.safeParse(raw);
      if (parsed.success) roomAccess.leave(socket, roomOf(parsed.data));
      if (typeof ack === 'function') ack({ ok: parsed.success });
    });
  });

  return { io, broadcaster };
}
