// Remote workers (`npm run worker -- --server <url>` on another machine) join over their own Socket.io server
// at /api/workers/socket: only with `Authorization: Bearer <WORKER_TOKEN>` (checked before the connection is
// accepted, so nobody else can even send a frame), with a message size fit for output images. They speak the
// same host ⇄ worker protocol as local workers (protocol.ts): host → worker on "host", worker → host on "worker".
import crypto from 'node:crypto';
import type http from 'node:http';
import { Server } from 'socket.io';
import type { HostToWorker } from './protocol';
import type { WorkerPool } from './pool';

export const REMOTE_WORKER_PATH = '/api/workers/socket';
/** Answers a worker's pre-flight: 200 token accepted, 401 refused, 404 remote workers are off. */
export const REMOTE_WORKER_CHECK = '/api/workers/check';
/** A 2048x2048 PNG with its embedded graph is ~10 MB; batches and x4 upscales go well beyond. */
const MAX_MESSAGE_BYTES = 512 * 1024 * 1024;

export interface RemoteWorkers {
  /** The pre-flight route and the refusal when remote workers are off. */
  handleHttp(req: http.IncomingMessage, res: http.ServerResponse): void;
  close(): Promise<void>;
}

export function bearerMatches(header: string | string[] | undefined, token: string): boolean {
  const value = Array.isArray(header) ? header[0] : header;
  const m = /^Bearer\s+(\S+)$/i.exec(value?.trim() ?? '');
  if (!m) return false;
  // Compare digests: equal length, constant time, and the token's length is not revealed.
  const a = crypto.createHash('sha256').update(m[1]).digest();
  const b = crypto.createHash('sha256').update(token).digest();
  return crypto.timingSafeEqual(a, b);
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** A worker's chosen name, shown in logs and /api/health. */
function workerName(raw: unknown): string {
  const name = typeof raw === 'string' ? raw.trim().replace(/[^\w.@-]/g, '_').slice(0, 64) : '';
  return name || 'remote';
}

export function attachRemoteWorkers(
  httpServer: http.Server, pool: WorkerPool, opts: { token?: string; log: (m: string) => void },
): RemoteWorkers {
  const { token, log } = opts;
  if (!token) {
    return {
      handleHttp: (_req, res) => sendJson(res, 404, {
        error: { code: 'remote_workers_off', message: 'this server does not accept remote workers: start it with WORKER_TOKEN set' },
      }),
      close: async () => undefined,
    };
  }
  let joined = 0;
  const io = new Server(httpServer, {
    path: REMOTE_WORKER_PATH,
    serveClient: false,
    destroyUpgrade: false,
    transports: ['websocket'],
    maxHttpBufferSize: MAX_MESSAGE_BYTES,
    allowRequest: (req, callback) => callback(null, bearerMatches(req.headers.authorization, token)),
  });
  io.on('connection', (socket) => {
    const id = `r${++joined}`;
    const address = socket.handshake.address;
    const w = pool.addRemote(id, { name: workerName(socket.handshake.auth?.name), address }, {
      send: (msg: HostToWorker) => { socket.emit('host', msg); },
      kill: () => { socket.disconnect(true); },
    });
    // Unchecked here: the pool validates every message (protocol-schema.ts) before anything uses it.
    socket.on('worker', (msg: unknown) => pool.remoteMessage(w, msg));
    socket.on('disconnect', (reason) => pool.removeRemote(w, `disconnected (${reason})`));
  });
  log(`remote workers may join at ${REMOTE_WORKER_PATH} with the WORKER_TOKEN`);

  return {
    handleHttp(req, res) {
      if (!bearerMatches(req.headers.authorization, token)) {
        return sendJson(res, 401, { error: { code: 'invalid_worker_token', message: 'the server refused this WORKER_TOKEN' } });
      }
      sendJson(res, 200, { ok: true });
    },
    close: () => new Promise<void>((resolve) => { io.close(() => resolve()); }),
  };
}
