// Test helper: a hand-driven remote worker on the real server's worker socket. It says `ready`, records what the host
// sends, and sends whatever the test gives it — valid or not — so tests can play a buggy, hostile or frozen worker.
import { io as connect, type Socket } from 'socket.io-client';
import type { HostToWorker } from '../worker/protocol';
import { REMOTE_WORKER_PATH } from '../worker/remote-host';
import { until, type TestServer } from './harness';

export interface FakeWorker {
  socket: Socket;
  received: HostToWorker[];
  /** The first `run` message the host sent. */
  runMessage(): Promise<Extract<HostToWorker, { type: 'run' }>>;
  send(message: unknown): void;
}

/** Connects (the caller closes `socket`) and waits until the pool lists it idle. */
export async function fakeWorker(t: TestServer, token: string, name: string): Promise<FakeWorker> {
  const received: HostToWorker[] = [];
  const socket = connect(t.url, {
    path: REMOTE_WORKER_PATH, transports: ['websocket'], extraHeaders: { Authorization: `Bearer ${token}` },
    auth: { name }, reconnection: false, forceNew: true,
  });
  socket.on('host', (m: HostToWorker) => received.push(m));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  socket.emit('worker', { type: 'ready', workerId: name, provider: 'cpu', pid: 1 });
  await until(() => t.server.pool.list().find((w) => w.remote?.name === name && w.state === 'idle'), `${name} to be idle`);
  return {
    socket,
    received,
    runMessage: () => until(() => received.find((m) => m.type === 'run') as Extract<HostToWorker, { type: 'run' }> | undefined, `${name} to get a run`),
    send: (m) => socket.emit('worker', m),
  };
}
