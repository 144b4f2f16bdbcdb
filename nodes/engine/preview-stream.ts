// The previews of one node execution, between its sampler and the host: every step's raw latents to `onSteps`
// (the timeline), kept here and handed over in batches — before a pause, at the node's end, or when STEP_BATCH_BYTES
// wait — since shipping 32 KB to the host every step cost the sampler more than drawing did; and only the frames the
// pacer admits drawn and encoded for the live view, emitted in step order. A held frame goes out before a pause and
// at the node's end.
import type { PreviewFrame } from '../define';
import type { LatentRgb } from '../models/latent-rgb';
import type { Tensor } from '../runtime/tensor';
import type { RunEvent } from './events';
import { PreviewPacer } from './preview-pacer';
import { StepBufferPool } from './step-buffers';
import type { StepBatch, StepInfo } from './step-latents';

/** Latent bytes of kept steps that make a batch on their own (a 200-step run of a 32x32 latent is 6.4 MB). */
export const STEP_BATCH_BYTES = 16 * 1024 * 1024;

/**
 * Draws a latent (batch item 0) as an encoded picture (default: encodeLatentPreview, PNG). It must read `latent` before
 * it returns (it may finish later): the array may be reused afterwards.
 */
export type PreviewEncoder = (latent: Tensor, rgb: LatentRgb) => Promise<Uint8Array>;

export interface PreviewStreamOptions {
  runId: string;
  nodeId: string;
  emit(e: RunEvent): void;
  encode: PreviewEncoder;
  mime: string;
  /** Live frames per second (the first and last step always, a held one before a pause); unset: every frame. */
  fps?: number;
  /**
   * Every offered step's latents, in order, in batches (each before the events that follow its flush). The batch's
   * data is valid during the call only (a worker serialises it at once; an in-process host copies what it keeps).
   */
  onSteps?(batch: StepBatch): void;
  /** Where kept latents live (the executor's, shared by its nodes and runs); default: a pool of this stream's own. */
  buffers?: StepBufferPool;
  now?: () => number;
  /** Default STEP_BATCH_BYTES. */
  stepBatchBytes?: number;
}

export class PreviewStream {
  private readonly pacer: PreviewPacer;
  private readonly buffers: StepBufferPool;
  private held?: PreviewFrame;
  private readonly heldArrays: Float32Array[] = [];
  private inFlight = 0;
  /** Kept steps: their facts, and their latents back to back in `data` (a pooled buffer sized for the node). */
  private steps: StepInfo[] = [];
  private data: Float32Array = new Float32Array(0);
  private used = 0;
  /** Resolves once every frame sent so far has been emitted (or dropped by a failed encode). */
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly o: PreviewStreamOptions) {
    this.pacer = new PreviewPacer(o.fps, o.now);
    this.buffers = o.buffers ?? new StepBufferPool();
  }

  /** `frame`'s arrays are the sampler's, valid during this call only: what outlives it is copied here. */
  offer(frame: PreviewFrame): void {
    this.keep(frame);
    if (this.pacer.admit(frame.step, frame.total)) {
      this.held = undefined;
      this.send(frame); // encoders read the latents before they return
    } else {
      this.held = this.hold(frame);
    }
  }

  /** The step kept for the timeline without a live frame (nobody watches; PREVIEW_STEPS=all keeps it all the same). */
  keepOnly(frame: PreviewFrame): void {
    this.keep(frame);
  }

  /** Kept steps, a held frame or an encode still running: a pause would otherwise be announced before them. */
  get pending(): boolean {
    return this.steps.length > 0 || this.held !== undefined || this.inFlight > 0;
  }

  /** Hands the kept steps over now (also when the node fails: they are the run's steps all the same). */
  sendSteps(): void {
    if (!this.steps.length) return;
    this.o.onSteps?.({ steps: this.steps, data: this.data.subarray(0, this.used) });
    this.buffers.give(this.data); // nobody reads it again: the host is done, frames draw from their own copies
    this.steps = [];
    this.data = new Float32Array(0);
    this.used = 0;
  }

  /** Hands the kept steps over, sends the held frame, if any, and resolves once every frame is out. */
  async flush(): Promise<void> {
    this.sendSteps();
    const f = this.held;
    if (f) {
      this.held = undefined;
      this.pacer.sentHeld();
      this.send(f);
    }
    await this.tail;
  }

  /** The frame with its latents copied into this stream's two held arrays (one held frame at a time). */
  private hold(frame: PreviewFrame): PreviewFrame {
    const into = (t: { data: Float32Array; dims: number[] }, slot: 0 | 1) => {
      let a = this.heldArrays[slot];
      if (a?.length !== t.data.length) a = this.heldArrays[slot] = new Float32Array(t.data.length);
      a.set(t.data);
      return { data: a, dims: t.dims };
    };
    return { ...frame, x0: into(frame.x0, 0), latent: frame.latent && into(frame.latent, 1) };
  }

  /**
   * Appends the step to the batch: its latents into a buffer reused from node to node (a new one a sampler, or two
   * small arrays a step, kept V8's garbage collector busier than the previews themselves), its facts to the list.
   */
  private keep(frame: PreviewFrame): void {
    if (!this.o.onSteps) return;
    const stepsLeft = Math.max(1, frame.total - frame.step);
    const latents = frame.latent ? [frame.x0.data, frame.latent.data] : [frame.x0.data];
    const need = latents.reduce((n, a) => n + a.length, 0);
    if (this.used + need > this.data.length) {
      // Sized once for the rest of the node (every step left like this one), within the batch limit.
      const cap = Math.floor((this.o.stepBatchBytes ?? STEP_BATCH_BYTES) / 4);
      const grown = this.buffers.take(Math.max(this.used + need, Math.min(cap, this.used + need * stepsLeft)));
      grown.set(this.data.subarray(0, this.used));
      this.buffers.give(this.data);
      this.data = grown;
    }
    for (const a of latents) {
      this.data.set(a, this.used);
      this.used += a.length;
    }
    const { runId, nodeId } = this.o;
    const [, c, h, w] = frame.x0.dims;
    this.steps.push({
      runId, nodeId, step: frame.step, total: frame.total, sigma: frame.sigma, timestep: frame.timestep,
      stats: frame.stats ?? [], dims: [c, h, w], hasLatent: frame.latent !== undefined, latentRgb: frame.latentRgb,
    });
    if (4 * this.used >= (this.o.stepBatchBytes ?? STEP_BATCH_BYTES)) this.sendSteps();
  }

  private send(frame: PreviewFrame): void {
    const { runId, nodeId, emit, encode, mime } = this.o;
    this.inFlight++;
    // Encoded concurrently, emitted in the order the sampler made them: the timeline and "latest frame" rely on it.
    const encoded = Promise.all([encode(frame.x0, frame.latentRgb), frame.latent && encode(frame.latent, frame.latentRgb)]);
    encoded.catch(() => undefined); // handled below, once the frames before it are out
    this.tail = this.tail.then(() => encoded).then(
      ([image, latentImage]) => emit({
        type: 'node:preview', runId, nodeId, step: frame.step, total: frame.total,
        sigma: frame.sigma, timestep: frame.timestep, mime, image,
        ...(latentImage ? { latentImage } : {}), ...(frame.stats ? { stats: frame.stats } : {}),
      }),
      () => undefined, // a frame that failed to encode is skipped; the next one shows the run
    ).finally(() => { this.inFlight--; });
  }
}
