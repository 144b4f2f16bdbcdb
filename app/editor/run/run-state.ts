// The editor's view of one run, folded from the shared run events (pure reducer, no React).
// Which run is shown: the newest one this tab enqueued or saw start in the workflow's room.
import type { ArtifactRef, RunEvent, RunStatus, RunWarning } from '../../../nodes/engine/events';
import type { PromptCacheCounts } from '../../../nodes/engine/prompt-cache';
import type { ChannelStats } from '../../../nodes/runtime/tensor';

export type NodeRunStatus = 'waiting' | 'running' | 'cached' | 'done' | 'failed' | 'cancelled';

export interface NodeRunState {
  status: NodeRunStatus;
  /** Steps done (node:progress counts from 1); a step's preview means that step is done. */
  step?: number;
  total?: number;
  /** Step index (from 0) of the newest preview frame: the label of the picture shown. */
  previewStep?: number;
  ms?: number;
  message?: string;
}

export interface RunView {
  runId: string | null;
  status: 'idle' | RunStatus;
  position?: number;
  /** Client clock (ms) when this tab first saw the run queued / started / end. */
  queuedAt?: number;
  startedAt?: number;
  finishedAt?: number;
  totalMs?: number;
  nodes: Record<string, NodeRunState>;
  artifacts: ArtifactRef[];
  /** The worker's prompt-embedding cache during this run: text encoders answered from it (hits) or run (misses). */
  promptCache?: PromptCacheCounts;
  /** Run-level warnings per node (node:finished, or runs.get for a run opened later), e.g. a LoRA that fits nothing. */
  warnings?: Record<string, RunWarning[]>;
  error?: { nodeId?: string; code: string; message: string };
  /** From run:cancelled: where the engine stopped. The browser's own step display lags the worker. */
  cancel?: CancelPoint;
  /** From run:paused while the debugger holds the run (step -1: before the node). */
  pause?: PausePoint;
  /**
   * The order this tab saw runs queued in (run:queued, its own enqueues). Runs of a batch start and end together in
   * any order; an older one must not take the view from a newer one.
   */
  order?: Record<string, number>;
}

export interface PausePoint {
  nodeId: string;
  step: number;
  total: number;
  sigma?: number;
  timestep?: number;
  /** Per-channel statistics of the latent the paused step will take (empty before a node). */
  stats?: ChannelStats[];
}

export interface CancelPoint {
  /** The node that was running when the cancel took effect. */
  nodeId?: string;
  reason: string;
  /** That node's last progress step, as the worker counted it. */
  step?: number;
  /** Steps that ran after the cancel reached the worker (0 or 1 when sampling stops in time). */
  stepsAfterCancel?: number;
}

/** What runs.get reports, reduced to what the view needs (used when events were missed). */
export interface RunSnapshot {
  runId: string;
  status: RunStatus;
  totalMs?: number | null;
  artifacts: ArtifactRef[];
  nodes?: { id: string; status: string; ms: number; cached: boolean; warnings?: RunWarning[] }[];
  promptCache?: PromptCacheCounts | null;
  error?: { nodeId?: string; code: string; message: string } | null;
}

/** "prompt cache: 2 hits, 1 miss"; undefined when no text encoder ran (nothing to say). */
export function describePromptCache(c: PromptCacheCounts | undefined): string | undefined {
  if (!c || c.hits + c.misses === 0) return undefined;
  const n = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;
  return `prompt cache: ${n(c.hits, 'hit', 'hits')}, ${n(c.misses, 'miss', 'misses')}`;
}

export type RunAction =
  | RunEvent
  | { type: 'local:enqueued'; runId: string; position: number }
  | { type: 'local:snapshot'; snapshot: RunSnapshot };

export const idleRun: RunView = { runId: null, status: 'idle', nodes: {}, artifacts: [] };

const TERMINAL = new Set<RunView['status']>(['succeeded', 'failed', 'cancelled', 'interrupted']);

export function isTerminal(status: RunView['status']): boolean {
  return TERMINAL.has(status);
}

export function isActive(status: RunView['status']): boolean {
  return status === 'queued' || status === 'running' || status === 'paused';
}

function fresh(runId: string, status: RunView['status'], now: number, order?: Record<string, number>): RunView {
  return { runId, status, nodes: {}, artifacts: [], queuedAt: now, ...(order ? { order } : {}) };
}

function noteOrder(s: RunView, a: RunAction): RunView {
  if (a.type !== 'run:queued' && a.type !== 'local:enqueued') return s;
  if (s.order?.[a.runId] !== undefined) return s;
  return { ...s, order: { ...s.order, [a.runId]: Object.keys(s.order ?? {}).length } };
}

function withNode(s: RunView, nodeId: string, patch: Partial<NodeRunState>): RunView {
  const prev = s.nodes[nodeId] ?? { status: 'waiting' as const };
  return { ...s, nodes: { ...s.nodes, [nodeId]: { ...prev, ...patch } } };
}

/** A node's warnings replace what was known of it (node:finished and a snapshot say the same). */
function withWarnings(s: RunView, nodeId: string, warnings: RunWarning[] | undefined): RunView {
  if (!warnings?.length) return s;
  return { ...s, warnings: { ...s.warnings, [nodeId]: warnings } };
}

/** Every run-level warning of the shown run, in node order. */
export function runWarnings(view: RunView): RunWarning[] {
  return Object.values(view.warnings ?? {}).flat();
}

function addArtifacts(list: ArtifactRef[], more: ArtifactRef[]): ArtifactRef[] {
  const key = (a: ArtifactRef) => a.id ?? a.url ?? `${a.nodeId}/${a.filename}`;
  const seen = new Set(list.map(key));
  return [...list, ...more.filter((a) => !seen.has(key(a)))];
}

/** Decide whether an event about `runId` should replace the run currently shown. */
function adopt(s: RunView, runId: string, type: RunAction['type']): boolean {
  if (s.runId === runId) return false;
  if (s.runId === null) return true;
  const older = s.order?.[runId] !== undefined && s.order[s.runId] !== undefined && s.order[runId] < s.order[s.runId];
  if (older) return false;
  // A snapshot is only asked for the shown run (or to fill an empty editor).
  if (isTerminal(s.status)) return type !== 'local:snapshot';
  // Another run starting means the shown one is no longer the newest activity.
  return type === 'run:started';
}

/** A tab that joined mid-run learns the run is going from its node events. */
function running(s: RunView, now: number): RunView {
  return s.status === 'queued' ? { ...s, status: 'running', position: undefined, startedAt: s.startedAt ?? now } : s;
}

export function reduceRun(s: RunView, a: RunAction, now: number): RunView {
  const runId = a.type === 'local:snapshot' ? a.snapshot.runId : a.runId;
  s = noteOrder(s, a);
  if (adopt(s, runId, a.type)) s = fresh(runId, 'queued', now, s.order);
  if (s.runId !== runId) return s;

  switch (a.type) {
    case 'local:enqueued':
      // The answer to enqueue can come after the run started (or paused, when every node before the
      // breakpoint was cached): only a still-queued run takes its position from it.
      return s.status === 'queued' ? { ...s, position: a.position } : s;
    case 'run:queued':
      return s.status === 'queued' ? { ...s, position: a.position } : s;
    case 'run:position':
      return s.status === 'queued' ? { ...s, position: a.position } : s;
    case 'run:started': {
      if (isTerminal(s.status)) return s;
      const nodes: Record<string, NodeRunState> = {};
      for (const id of a.nodeIds) nodes[id] = s.nodes[id] ?? { status: 'waiting' };
      return { ...s, status: 'running', position: undefined, startedAt: s.startedAt ?? now, nodes };
    }
    case 'node:started':
      return withNode(running(s, now), a.nodeId, { status: 'running' });
    case 'node:progress':
      return withNode(running(s, now), a.nodeId, { status: 'running', step: a.step, total: a.total });
    case 'node:preview':
      // The preview of step i (from 0) comes with i + 1 steps done: the badge counts as progress does.
      return withNode(running(s, now), a.nodeId, { step: a.step + 1, total: a.total, previewStep: a.step });
    case 'node:warning':
      return withNode(s, a.nodeId, { message: a.message });
    case 'node:finished':
      return withWarnings(withNode(s, a.nodeId, { status: a.cached ? 'cached' : 'done', ms: a.ms }), a.nodeId, a.warnings);
    case 'node:artifact':
      return { ...s, artifacts: addArtifacts(s.artifacts, [a.artifact]) };
    case 'run:paused': {
      const paused: RunView = { ...s, status: 'paused', pause: { nodeId: a.nodeId, step: a.step, total: a.total, sigma: a.sigma, timestep: a.timestep, stats: a.stats } };
      // The node's badge says the banner's step: progress is thinned to the preview rate, so the last count that
      // arrived may trail the point the run stopped at (k steps done when paused before step k).
      return a.step >= 0 ? withNode(paused, a.nodeId, { status: 'running', step: a.step, total: a.total }) : paused;
    }
    case 'run:resumed':
      return { ...s, status: 'running', pause: undefined };
    case 'run:finished':
      return {
        ...s, pause: undefined, status: 'succeeded', totalMs: a.totalMs, finishedAt: now, artifacts: addArtifacts(s.artifacts, a.artifacts),
        ...(a.promptCache ? { promptCache: a.promptCache } : {}),
      };
    case 'run:failed': {
      const ended = { ...s, pause: undefined, status: 'failed' as const, finishedAt: now, error: { nodeId: a.nodeId, code: a.code, message: a.message } };
      return a.nodeId ? withNode(ended, a.nodeId, { status: 'failed', message: a.message }) : ended;
    }
    case 'run:cancelled': {
      const nodes = Object.fromEntries(
        Object.entries(s.nodes).map(([id, n]) => [id, n.status === 'running' ? { ...n, status: 'cancelled' as const } : n]),
      );
      const cancel: CancelPoint = { nodeId: a.nodeId, reason: a.reason, step: a.step, stepsAfterCancel: a.stepsAfterCancel };
      return { ...s, pause: undefined, status: 'cancelled', finishedAt: s.finishedAt ?? now, nodes, cancel };
    }
    case 'local:snapshot':
      return applySnapshot(s, a.snapshot, now);
  }
}

/** Fills in what the socket did not deliver (a missed end event, artifacts, node results). */
function applySnapshot(s: RunView, snap: RunSnapshot, now: number): RunView {
  // Live events are fresher than a snapshot of an unfinished run; a finished snapshot is final.
  if (!isTerminal(snap.status) && s.status !== 'queued') return s;
  let next: RunView = { ...s, status: snap.status, artifacts: addArtifacts(s.artifacts, snap.artifacts) };
  if (snap.totalMs != null) next.totalMs = snap.totalMs;
  if (snap.promptCache) next.promptCache = { ...snap.promptCache };
  if (isTerminal(snap.status) && next.finishedAt === undefined) next.finishedAt = now;
  if (snap.error) next.error = { ...snap.error };
  for (const n of snap.nodes ?? []) {
    const status: NodeRunStatus =
      n.status === 'succeeded' ? (n.cached ? 'cached' : 'done') : n.status === 'failed' ? 'failed' : n.status === 'cancelled' ? 'cancelled' : 'waiting';
    next = withWarnings(withNode(next, n.id, { status, ms: n.ms }), n.id, n.warnings);
  }
  return next;
}

export function artifactUrl(a: ArtifactRef): string {
  return a.url ?? (a.id ? `/api/artifacts/${a.id}` : '');
}
