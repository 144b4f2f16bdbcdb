// The one typed event map of a run, shared by engine, worker, server and browser.
// Engine-side events come from the executor; queue events come from the server.
import type { ArtifactKind } from '../define';
import type { ChannelStats } from '../runtime/tensor';
import type { PromptCacheCounts } from './prompt-cache';
import type { OutputDetails } from './values';

export type RunStatus = 'queued' | 'running' | 'paused' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';

export interface OutputSummary {
  name: string;
  type: string;
  /** e.g. "IMAGE 1x3x256x256" or "MODEL sprites (cpu)". */
  summary: string;
  /** Structured facts for the inspector (dims, latent stats, tokens, model file). */
  details?: OutputDetails;
}

/**
 * A warning about the run's result that outlives the run (stored with its node result, shown at run level in
 * Results): the run succeeded, but not the way its graph asks. Live-only notes stay on node:warning.
 */
export interface LoraFitWarning {
  code: 'lora_fit';
  /** The LoRA file under models/loras. */
  lora: string;
  /** The checkpoint whose weights it was merged into. */
  checkpoint: string;
  /** LoRA modules (layers) merged, of those the loader tried (the components it patched). */
  applied: number;
  total: number;
  message: string;
}

export type RunWarning = LoraFitWarning;

export interface ArtifactRef {
  nodeId: string;
  /** Absent means `image` (a saved output); `temp` is a Preview Image's picture, shown but not kept. */
  kind?: ArtifactKind;
  filename: string;
  mime: string;
  width: number;
  height: number;
  /** Set by hosts that store artifacts (server: artifact id; CLI: written path). */
  id?: string;
  url?: string;
  path?: string;
}

export interface RunEventMap {
  'run:queued': { runId: string; workflowId?: string; position: number };
  'run:position': { runId: string; position: number };
  'run:started': { runId: string; workflowId?: string; nodeIds: string[]; workerId?: string };
  'node:started': { runId: string; nodeId: string; nodeType: string };
  'node:progress': { runId: string; nodeId: string; step: number; total: number };
  'node:preview': {
    runId: string; nodeId: string; step: number; total: number;
    sigma?: number; timestep?: number; mime: string;
    /** Predicted x0 as an encoded image. */
    image: Uint8Array;
    /** The current noisy latent as an encoded image, when the node provides it. */
    latentImage?: Uint8Array;
    stats?: ChannelStats[];
  };
  'node:warning': { runId: string; nodeId: string; message: string };
  'node:finished': {
    runId: string; nodeId: string; nodeType: string; ms: number; ortMs: number;
    cached: boolean; outputs: OutputSummary[];
    /** Samplers of a run dispatched in a batch: how many runs shared its loop, or why it ran alone. */
    batch?: { size: number; reason?: string };
    /** Run-level warnings of this node (a cache hit repeats them); absent when there are none. */
    warnings?: RunWarning[];
  };
  'node:artifact': { runId: string; artifact: ArtifactRef };
  'run:paused': {
    runId: string; nodeId: string; step: number; total: number;
    sigma?: number; timestep?: number; stats: ChannelStats[];
  };
  'run:resumed': { runId: string };
  'run:finished': {
    runId: string; totalMs: number; ortMs: number; artifacts: ArtifactRef[];
    /** The run's prompt-cache lookups (the server adds them from the worker's result; absent when the cache is off). */
    promptCache?: PromptCacheCounts;
  };
  'run:failed': { runId: string; nodeId?: string; code: string; message: string };
  'run:cancelled': {
    runId: string; nodeId?: string; reason: string;
    /** Last progress step of the node that was running, and how many steps it ran after the cancel arrived. */
    step?: number; stepsAfterCancel?: number;
  };
}

export type RunEventName = keyof RunEventMap;
export type RunEvent = { [K in RunEventName]: { type: K } & RunEventMap[K] }[RunEventName];
export type RunEventListener = (event: RunEvent) => void;
