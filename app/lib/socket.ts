// One shared Socket.io connection per tab, typed by the server's event map.
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/socket-types';

export type RunSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

let socket: RunSocket | undefined;

export function getSocket(): RunSocket {
  socket ??= io({ path: '/socket.io', transports: ['websocket', 'polling'] });
  return socket;
}
