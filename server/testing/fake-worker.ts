// Test helper: a hand-driven worker attached to the real server's pool (an external worker: no process). It says
// `ready`, records what the host sends, and sends whatever the test gives it — valid or not — so tests can play a
// buggy, hostile or frozen worker. `channel` stands for its connection: it hears host messages and is cut off when
// the host ends the worker.
import { EventEmitter } from 'node:events';
import type { HostToWorker } from '../worker/protocol';
import type { WorkerHandle } from '../worker/pool';
import { until, type TestServer } from './harness';

export interface FakeChannel {
  on(event: 'host', listener: (m: HostToWorker) => void): void;
  /** True once the host ended the worker (or the test closed it). */
  readonly disconnected: boolean;
  close(): void;
}

export interface FakeWorker {
  channel: FakeChannel;
  received: HostToWorker[];
  handle: WorkerHandle;
  /** The first `run` message the host sent. */
  runMessage(): Promise<Extract<HostToWorker, { type: 'run' }>>;
  send(message: unknown): void;
}

let attached = 0;

/** Attaches (the caller closes `channel`) and waits until the pool lists it idle; ids are r1, r2, … */
export async function fakeWorker(t: TestServer, name: string): Promise<FakeWorker> {
  const { pool } = t.server;
  const received: HostToWorker[] = [];
  const events = new EventEmitter();
  let disconnected = false;
  const cut = (reason: string) => {
    if (disconnected) return;
    disconnected = true;
    // As a socket's disconnect would arrive: after the current call stack.
    setImmediate(() => pool.detachExternal(handle, reason));
  };
  const handle = pool.attachExternal(`r${++attached}`, { name, address: 'in-process' }, {
    send: (m) => {
      if (disconnected) return;
      received.push(m);
      events.emit('host', m);
    },
    kill: () => cut('disconnected (server shutting down the worker)'),
  });
  const channel: FakeChannel = {
    on: (event, listener) => events.on(event, listener),
    get disconnected() {
      return disconnected;
    },
    close: () => cut('disconnected (closed by the test)'),
  };
  const send = (m: unknown) => {
    if (!disconnected) pool.externalMessage(handle, m);
  };
  send({ type: 'ready', workerId: name, provider: 'cpu', pid: 1 });
  await until(() => (handle.state === 'idle' ? true : undefined), `${name} to be idle`);
  return {
    channel,
    received,
    handle,
    runMessage: () => until(() => received.find((m) => m.type === 'run') as Extract<HostToWorker, { type: 'run' }> | undefined, `${name} to get a run`),
    send,
  };
}
