// Limits step previews to PREVIEW_FPS per run; a sampler's last frame and a paused frame always pass. The same limit
// thins node:progress for browsers (RunEventRelay): a progress bar needs no more updates than the picture beside it.
import type { RunEventMap } from '../../nodes/engine/events';

type Preview = RunEventMap['node:preview'];

/** What the throttle looks at: a step of a node of a run (previews count steps from 0, progress from 1). */
interface StepEvent {
  runId: string;
  nodeId: string;
  step: number;
  total: number;
}

export class PreviewThrottle<F extends StepEvent = Preview> {
  private readonly intervalMs: number;
  private readonly lastSent = new Map<string, number>();
  /** The newest frame dropped by the limit, per run: sent when the run pauses or the node finishes. */
  private readonly held = new Map<string, F>();

  constructor(
    fps: number, private readonly now: () => number = () => performance.now(),
    /** A held frame was replaced by a newer one, or its run ended: it will never be sent (metrics). */
    private readonly onDrop: () => void = () => undefined,
    /**
     * `slack`: the fraction of the interval a frame may come early. Frames paced by the worker reach this process
     * with some jitter; without slack about every other one would be held and then replaced. A worker that does not
     * pace still gets at most fps / (1 - slack) frames a second through.
     */
    opts: { slack?: number } = {},
  ) {
    this.intervalMs = (1000 / fps) * (1 - (opts.slack ?? 0));
  }

  /** The frames to send now (zero or one). */
  offer(frame: F): F[] {
    const t = this.now();
    const last = this.lastSent.get(frame.runId);
    const isLast = frame.step + 1 >= frame.total;
    if (isLast || last === undefined || t - last >= this.intervalMs) {
      if (this.held.delete(frame.runId)) this.onDrop(); // a newer frame goes out instead of the held one
      this.lastSent.set(frame.runId, t);
      return [frame];
    }
    if (this.held.has(frame.runId)) this.onDrop();
    this.held.set(frame.runId, frame);
    return [];
  }

  /** The held frame, if any (for a pause, or the end of a node). */
  flush(runId: string, nodeId?: string): F[] {
    const f = this.held.get(runId);
    if (!f || (nodeId !== undefined && f.nodeId !== nodeId)) return [];
    this.held.delete(runId);
    this.lastSent.set(runId, this.now());
    return [f];
  }

  forget(runId: string): void {
    if (this.held.delete(runId)) this.onDrop();
    this.lastSent.delete(runId);
  }
}
