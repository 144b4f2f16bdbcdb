// In-memory state of the runs currently on workers, with a per-run chain that keeps event order
// while their effects (database writes, file writes) are asynchronous.
import type { RunEvent } from '../../nodes/engine/events';
import type { WorkerHandle } from '../worker/pool';
import type { RunDeadline } from './run-deadline';

export interface ActiveRun {
  runId: string;
  workflowId?: string;
  /** The workflow room that hears this run (auth/access.ts workflowRoomOf): unset for other people's runs of it. */
  workflowRoom?: string;
  worker: WorkerHandle;
  /** Whose run it is (null with AUTH=none), for the log lines about it. */
  userId?: string | null;
  /** Clients watching (last count sent to the worker). */
  listeners: number;
  paused: boolean;
  /** The node executing now, for crash reports. */
  node?: { id: string; type: string; startedAt: number };
  /** The last node that finished (where a run between two nodes was). */
  previousNode?: { id: string; type: string };
  /** The executor's end event, held until its artifacts are stored. */
  terminal?: RunEvent;
  cancelReason?: string;
  cancelTimer?: NodeJS.Timeout;
  /** RUN_TIMEOUT countdown (paused while the run is). */
  deadline?: RunDeadline;
  /** Set when RUN_TIMEOUT ended the run: its error, whatever the worker reports after the cancel. */
  timedOut?: { message: string; nodeId?: string };
  /** Set once the run's end has been recorded; later messages are ignored. */
  closed: boolean;
  /** Watched steps and frames received from the worker since the last node ended (preview metrics). */
  previews?: { steps: number; frames: number };
}

/** Where a run is, for the messages of runs that end without their worker's result. */
export function runPosition(run: ActiveRun): string {
  if (run.node) return `while running node ${run.node.id} (${run.node.type})`;
  return run.previousNode ? `after node ${run.previousNode.id} (${run.previousNode.type})` : 'before its first node';
}

export class ActiveRuns {
  private readonly runs = new Map<string, ActiveRun>();
  private readonly chains = new Map<string, Promise<void>>();

  add(run: ActiveRun): void {
    this.runs.set(run.runId, run);
    this.chains.set(run.runId, Promise.resolve());
  }

  get(runId: string): ActiveRun | undefined {
    return this.runs.get(runId);
  }

  all(): ActiveRun[] {
    return [...this.runs.values()];
  }

  delete(runId: string): void {
    this.runs.delete(runId);
  }

  /** Runs `task` after every earlier task of the same run; a failing task is logged, not fatal. */
  serial(run: ActiveRun, task: () => Promise<void> | void, log?: (m: string) => void): void {
    const prev = this.chains.get(run.runId) ?? Promise.resolve();
    const next = prev.then(task).catch((e) => log?.(`run ${run.runId}: ${(e as Error).stack ?? e}`));
    this.chains.set(run.runId, next);
    void next.then(() => {
      if (this.chains.get(run.runId) === next && !this.runs.has(run.runId)) this.chains.delete(run.runId);
    });
  }

  /** Resolves when every queued task has run. */
  async settled(): Promise<void> {
    await Promise.all([...this.chains.values()]);
  }
}
