// Hooks a debugger plugs into a run: it may hold the returned promise to pause the run.
import type { SamplerStepState } from '../define';

export interface DebugController {
  /** Before a node executes (break before node). */
  beforeNode?(nodeId: string, signal: AbortSignal): Promise<void>;
  /**
   * Whether a breakpoint (or Step) would stop in this node now; `steps`: the node steps through a sampling loop. Such a
   * node must execute, not come from the node cache, or the breakpoint could never hit (the executor also runs what it
   * feeds).
   */
  stopsIn?(nodeId: string, steps: boolean): boolean;
  /** Whether beforeStep would pause before this step now (the executor sends the newest preview first). */
  breaksBefore?(nodeId: string, step: number): boolean;
  /** Before each sampler step, with the sampler's current state. */
  beforeStep?(nodeId: string, state: SamplerStepState, signal: AbortSignal): Promise<void>;
  /** After each sampler step (statistics, stored previews). */
  afterStep?(nodeId: string, state: SamplerStepState, signal: AbortSignal): Promise<void>;
}
