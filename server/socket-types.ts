// The Socket.io event maps shared by server and browser: server events are exactly the run events.
import type { RunEventMap, RunEventName, RunStatus } from '../nodes/engine/events';

/**
 * Every run event, sent to the rooms `run:<runId>` and `workflow:<workflowId>`.
 * Binary fields (`node:preview`.image) arrive in a browser as ArrayBuffer: wrap with `new Uint8Array(...)`.
 */
export type ServerToClientEvents = { [K in RunEventName]: (payload: RunEventMap[K]) => void };

/** `shareToken`: with AUTH=local, the share link's token when the run belongs to a link-shared workflow. */
export type RoomTarget = { runId: string; shareToken?: string } | { workflowId: string };

/** What a client learns when it joins a run's room late: the run's state right now. */
export interface RunSnapshot {
  runId: string;
  workflowId?: string;
  status: RunStatus;
  /** 1 = next to start; present while queued. */
  position?: number;
}

/** `run`: the joined run's state (run rooms); `active`: the workflow's queued and running runs (workflow rooms). */
export type JoinAck =
  | { ok: true; room: string; run?: RunSnapshot; active?: RunSnapshot[] }
  | { ok: false; error: string };

export interface ClientToServerEvents {
  join: (target: RoomTarget, ack: (res: JoinAck) => void) => void;
  leave: (target: RoomTarget, ack?: (res: { ok: boolean }) => void) => void;
}

export function roomOf(target: RoomTarget): string {
  return 'runId' in target ? `run:${target.runId}` : `workflow:${target.workflowId}`;
}
