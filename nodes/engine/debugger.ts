// A debug session for one run: breakpoints before sampler steps or nodes, and the controls
// step / resume. The run's promise is simply held while paused; cancel comes through the signal.
import type { SamplerStepState } from '../define';
import { channelStats } from '../runtime/tensor';
import type { DebugController } from './debug';
import type { RunEvent } from './events';
import { RunCancelledError } from './errors';

export interface Breakpoints {
  /** Pause before step k (0-based) of the given sampler node. */
  steps?: { nodeId: string; step: number }[];
  /** Pause before every step of these sampler nodes (true: of every sampler). */
  everyStep?: string[] | true;
  /** Pause before these nodes execute. */
  beforeNodes?: string[];
}

export interface DebugSessionOptions {
  runId: string;
  breakpoints: Breakpoints;
  emit: (e: RunEvent) => void;
  /** A paused run left alone this long is cancelled (it holds a worker). */
  pauseTimeoutMs: number;
  /** Called when the pause timeout fires; the host aborts the run with this reason. */
  onTimeout: (reason: string) => void;
}

type Mode = 'run' | 'step';

export class DebugSession implements DebugController {
  private mode: Mode = 'run';
  private release?: () => void;
  private timer?: NodeJS.Timeout;
  /** Where the run is paused now, if it is. */
  paused?: { nodeId: string; step?: number };

  constructor(private readonly opts: DebugSessionOptions) {}

  /** Run one step (or one node), then pause again. */
  step(): boolean {
    return this.continue('step');
  }

  /** Run to the next breakpoint or the end. */
  resume(): boolean {
    return this.continue('run');
  }

  /** Replace breakpoints while running or paused (e.g. "break every step" toggled in the editor). */
  setBreakpoints(bp: Breakpoints): void {
    this.opts.breakpoints = bp;
  }

  async beforeNode(nodeId: string, signal: AbortSignal): Promise<void> {
    if (this.opts.breakpoints.beforeNodes?.includes(nodeId)) {
      this.opts.emit({ type: 'run:paused', runId: this.opts.runId, nodeId, step: -1, total: 0, stats: [] });
      await this.hold({ nodeId }, signal);
    }
  }

  async beforeStep(nodeId: string, state: SamplerStepState, signal: AbortSignal): Promise<void> {
    if (!this.breaksBefore(nodeId, state.step)) return;
    this.opts.emit({
      type: 'run:paused', runId: this.opts.runId, nodeId, step: state.step, total: state.total,
      sigma: state.sigma, timestep: state.timestep, stats: channelStats(state.latent),
    });
    await this.hold({ nodeId, step: state.step }, signal);
  }

  /**
   * A node holds a breakpoint when a list names it (before it, at a step, every step); "every step" of every sampler
   * (a Pause) and Step mode hold every node that steps.
   */
  stopsIn(nodeId: string, steps: boolean): boolean {
    const bp = this.opts.breakpoints;
    if (bp.beforeNodes?.includes(nodeId)) return true;
    if (Array.isArray(bp.everyStep) && bp.everyStep.includes(nodeId)) return true;
    if (bp.steps?.some((s) => s.nodeId === nodeId)) return true;
    return steps && (this.mode === 'step' || bp.everyStep === true);
  }

  breaksBefore(nodeId: string, step: number): boolean {
    if (this.mode === 'step') return true;
    const bp = this.opts.breakpoints;
    if (bp.everyStep === true || bp.everyStep?.includes(nodeId)) return true;
    return bp.steps?.some((s) => s.nodeId === nodeId && s.step === step) ?? false;
  }

  private continue(mode: Mode): boolean {
    if (!this.release) return false;
    this.mode = mode;
    const release = this.release;
    this.release = undefined;
    this.paused = undefined;
    clearTimeout(this.timer);
    this.opts.emit({ type: 'run:resumed', runId: this.opts.runId });
    release();
    return true;
  }

  private hold(where: { nodeId: string; step?: number }, signal: AbortSignal): Promise<void> {
    this.paused = where;
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(this.timer);
        this.release = undefined;
        this.paused = undefined;
        const r = signal.reason;
        reject(new RunCancelledError(typeof r === 'string' ? r : 'cancelled while paused'));
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.release = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const minutes = this.opts.pauseTimeoutMs / 60_000;
      this.timer = setTimeout(() => {
        this.opts.onTimeout(`paused for ${minutes >= 1 ? `${+minutes.toFixed(1)} min` : `${this.opts.pauseTimeoutMs} ms`} without a step or resume; cancelled to free the worker`);
      }, this.opts.pauseTimeoutMs);
    });
  }
}
