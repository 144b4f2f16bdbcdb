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
import type { StepLatents } from './step-latents';

/** Latent bytes of kept steps that make a batch on their own (a 200-step run of a 32x32 latent is 6.4 MB). */
export const STEP_BATCH_BYTES = 16 * 1024 * 1024;

/** Draws a latent (batch item 0) as an encoded picture (default: encodeLatentPreview, PNG). */
export type PreviewEncoder = (latent: Tensor, rgb: LatentRgb) => Promise<Uint8Array>;

export interface PreviewStreamOptions {
  runId: string;
  nodeId: string;
  emit(e: RunEvent): void;
  encode: PreviewEncoder;
  mime: string;
  /** Live frames per second (the first and last step always, a held one before a pause); unset: every frame. */
  fps?: number;
  /** Every offered step's latents, in order, in batches (each before the events that follow its flush). */
  onSteps?(batch: StepLatents[]): void;
  now?: () => number;
  /** Default STEP_BATCH_BYTES. */
  stepBatchBytes?: number;
}

export class PreviewStream {
  private readonly pacer: PreviewPacer;
  private held?: PreviewFrame;
  private inFlight = 0;
  private steps: StepLatents[] = [];
  private stepBytes = 0;
  /** Resolves once every frame sent so far has been emitted (or dropped by a failed encode). */
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly o: PreviewStreamOptions) {
    this.pacer = new PreviewPacer(o.fps, o.now);
  }

  offer(frame: PreviewFrame): void {
    this.keep(frame);
    if (this.pacer.admit(frame.step, frame.total)) {
      this.held = undefined;
      this.send(frame);
    } else {
      this.held = frame;
    }
  }

  /** Kept steps, a held frame or an encode still running: a pause would otherwise be announced before them. */
  get pending(): boolean {
    return this.steps.length > 0 || this.held !== undefined || this.inFlight > 0;
  }

  /** Hands the kept steps over now (also when the node fails: they are the run's steps all the same). */
  sendSteps(): void {
    if (!this.steps.length) return;
    const batch = this.steps;
    this.steps = [];
    this.stepBytes = 0;
    this.o.onSteps?.(batch);
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

  private keep(frame: PreviewFrame): void {
    if (!this.o.onSteps) return;
    const { runId, nodeId } = this.o;
    const [, c, h, w] = frame.x0.dims;
    this.steps.push({
      runId, nodeId, step: frame.step, total: frame.total, sigma: frame.sigma, timestep: frame.timestep,
      stats: frame.stats ?? [], dims: [c, h, w], x0: frame.x0.data, latent: frame.latent?.data, latentRgb: frame.latentRgb,
    });
    this.stepBytes += frame.x0.data.byteLength + (frame.latent?.data.byteLength ?? 0);
    if (this.stepBytes >= (this.o.stepBatchBytes ?? STEP_BATCH_BYTES)) this.sendSteps();
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
