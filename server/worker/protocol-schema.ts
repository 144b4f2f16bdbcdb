// zod schemas of the worker → host messages (protocol.ts): the host checks every message before using it, since a
// worker (above all a remote one) is another process that may be buggy, out of date or hostile.
import { z } from 'zod';
import type { ArtifactKind } from '../../nodes/define';
import type { Breakpoints } from '../../nodes/engine/debugger';
import { stepFloats, type StepLatents } from '../../nodes/engine/step-latents';
import type { WorkerToHost } from './protocol';

const id = z.string().min(1).max(256);
const text = z.string().max(64 * 1024);
/** Latent statistics may be NaN or infinite when a sampler diverges; that is data, not a protocol error. */
const anyNumber = z.custom<number>((v) => typeof v === 'number', 'expected a number');
const count = z.number().int().min(-1);
const ms = z.number().min(0);
const bytes = z.instanceof(Uint8Array, { message: 'expected bytes (Uint8Array)' });
const channelStats = z.object({ mean: anyNumber, std: anyNumber, min: anyNumber, max: anyNumber });
const outputSummary = z.object({
  name: text, type: text, summary: text,
  details: z.record(z.string(), z.unknown()).optional(),
});
/** A node's run-level warnings (nodes/engine/events.ts RunWarning): stored with the run, so checked field by field. */
const runWarning = z.object({
  code: z.literal('lora_fit'), lora: text, checkpoint: text,
  applied: z.number().int().min(0), total: z.number().int().min(0), message: text,
});
const artifactKind = z.enum(['image', 'temp']) satisfies z.ZodType<ArtifactKind>;
const artifactRef = z.object({
  nodeId: id, kind: artifactKind.optional(), filename: text, mime: text, width: count, height: count,
  id: text.optional(), url: text.optional(), path: text.optional(),
});
const base = { runId: id };

const nodeRef = z.string().min(1).max(200);
/** The engine's Breakpoints (nodes/engine/debugger.ts), as runs.enqueue/runs.breakpoints and the control channel take them. */
export const breakpointsSchema = z.object({
  steps: z.array(z.object({ nodeId: nodeRef, step: z.number().int().min(0) })).max(1000).optional(),
  everyStep: z.union([z.literal(true), z.array(nodeRef).max(1000)]).optional(),
  beforeNodes: z.array(nodeRef).max(1000).optional(),
}) satisfies z.ZodType<Breakpoints>;

/** The events a worker's executor emits (queue events — queued, position, artifact — come from the server only). */
const workerEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('run:started'), ...base, nodeIds: z.array(id), workflowId: id.optional(), workerId: id.optional() }),
  z.object({ type: z.literal('node:started'), ...base, nodeId: id, nodeType: id }),
  // Progress is only shown, never stored: any finite numbers will do (a node may report fractions).
  z.object({ type: z.literal('node:progress'), ...base, nodeId: id, step: z.number(), total: z.number() }),
  z.object({
    type: z.literal('node:preview'), ...base, nodeId: id, step: count, total: count,
    sigma: anyNumber.optional(), timestep: anyNumber.optional(), mime: text, image: bytes,
    latentImage: bytes.optional(), stats: z.array(channelStats).optional(),
  }),
  z.object({ type: z.literal('node:warning'), ...base, nodeId: id, message: text }),
  z.object({
    type: z.literal('node:finished'), ...base, nodeId: id, nodeType: id, ms, ortMs: ms, cached: z.boolean(),
    outputs: z.array(outputSummary), batch: z.object({ size: count, reason: text.optional() }).optional(),
    warnings: z.array(runWarning).max(100).optional(),
  }),
  z.object({
    type: z.literal('run:paused'), ...base, nodeId: id, step: count, total: count,
    sigma: anyNumber.optional(), timestep: anyNumber.optional(), stats: z.array(channelStats),
  }),
  z.object({ type: z.literal('run:resumed'), ...base }),
  z.object({ type: z.literal('run:finished'), ...base, totalMs: ms, ortMs: ms, artifacts: z.array(artifactRef) }),
  z.object({ type: z.literal('run:failed'), ...base, nodeId: id.optional(), code: id, message: text }),
  z.object({
    type: z.literal('run:cancelled'), ...base, nodeId: id.optional(), reason: text,
    step: count.optional(), stepsAfterCancel: count.optional(),
  }),
]);

const floats = z.instanceof(Float32Array, { message: 'expected float32 values (Float32Array)' });
const dim = z.number().int().min(1).max(1 << 14);
/** A watched step's facts (nodes/engine/step-latents.ts). */
const stepInfo = {
  ...base, nodeId: id, step: count, total: count, sigma: anyNumber.optional(), timestep: anyNumber.optional(),
  stats: z.array(channelStats).max(1024), dims: z.tuple([dim.max(1024), dim, dim]),
  latentRgb: z.object({ factors: z.array(z.array(z.number()).length(3)).min(1).max(1024), bias: z.array(z.number()).length(3) }),
};
/** Steps as a worker sends them: facts, and one buffer of every step's latents (StepBatch). */
const stepBatch = z.object({
  steps: z.array(z.object({ ...stepInfo, hasLatent: z.boolean() })).min(1).max(100_000),
  data: floats,
}).refine((b) => b.data.length === b.steps.reduce((n, s) => n + stepFloats(s), 0), { message: 'data must hold exactly the steps\' latents', path: ['data'] });
/** Steps with their own arrays (a worker host's records): both arrays hold C·h·w values. */
const stepLatents = z.object({ ...stepInfo, x0: floats, latent: floats.optional() }).refine((s) => {
  const n = s.dims[0] * s.dims[1] * s.dims[2];
  return s.x0.length === n && (s.latent === undefined || s.latent.length === n);
}, { message: 'x0 and latent must hold C·h·w values of dims' });
const stepList = z.array(stepLatents).min(1).max(100_000);

const runResult = z.object({
  runId: id,
  status: z.enum(['succeeded', 'failed', 'cancelled']),
  totalMs: ms,
  ortMs: ms,
  nodes: z.array(z.object({
    id, type: id, ms, ortMs: ms, cached: z.boolean(), status: z.enum(['succeeded', 'failed', 'cancelled', 'skipped']),
  })),
  artifacts: z.array(z.object({
    nodeId: id, kind: artifactKind, filename: text, mime: text, bytes, width: count, height: count,
  })),
  error: z.object({
    nodeId: id.optional(), code: id, message: text,
    problems: z.array(z.looseObject({ code: id, message: text })).optional(),
  }).optional(),
  inspect: z.array(z.object({ nodeId: id, output: id, mime: text, bytes, width: count, height: count })).optional(),
  modelLoads: z.number().int().min(0).optional(),
  promptCache: z.object({ hits: z.number().int().min(0), misses: z.number().int().min(0) }).optional(),
});

const workerToHost = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), workerId: id, provider: id, pid: z.number().int() }),
  z.object({ type: z.literal('event'), runId: id, event: workerEvent })
    .refine((m) => m.event.runId === m.runId, { message: 'the event names another run than its message', path: ['event', 'runId'] }),
  z.object({ type: z.literal('step-latents'), runId: id, batch: stepBatch })
    .refine((m) => m.batch.steps.every((s) => s.runId === m.runId), { message: 'a step names another run than its message', path: ['batch', 'steps'] }),
  z.object({ type: z.literal('done'), runId: id, result: runResult })
    .refine((m) => m.result.runId === m.runId, { message: 'the result names another run than its message', path: ['result', 'runId'] }),
  z.object({ type: z.literal('fatal'), workerId: z.string().max(256), message: text }),
  z.object({
    type: z.literal('pong'), seq: z.number().int().min(0),
    memory: z.object({ rss: z.number().min(0), onnxSessions: z.number().min(0), gpu: z.number().min(0).optional() }).optional(),
    promptCache: z.object({
      hits: z.number().int().min(0), misses: z.number().int().min(0), entries: z.number().int().min(0),
      bytes: z.number().min(0), evictions: z.number().int().min(0),
    }).optional(),
  }),
]);

export type ParsedWorkerMessage = { ok: true; msg: WorkerToHost } | { ok: false; problem: string };

/** Checks one message; `problem` says what is wrong in a line fit for a log and a run's error message. */
export function parseWorkerMessage(raw: unknown): ParsedWorkerMessage {
  const parsed = workerToHost.safeParse(raw);
  if (parsed.success) return { ok: true, msg: parsed.data as WorkerToHost };
  const type = typeof raw === 'object' && raw !== null && typeof (raw as { type?: unknown }).type === 'string'
    ? `"${String((raw as { type: string }).type).slice(0, 40)}" message`
    : 'message';
  const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`);
  return { ok: false, problem: `malformed ${type} (${issues.join('; ')})` };
}

/** Steps of `runId` with their own arrays (the worker API's `steps` records), checked like a worker's message. */
export function parseStepList(runId: string, raw: unknown): { ok: true; steps: StepLatents[] } | { ok: false; problem: string } {
  const parsed = stepList.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(steps)'}: ${i.message}`);
    return { ok: false, problem: `malformed steps (${issues.join('; ')})` };
  }
  if (parsed.data.some((s) => s.runId !== runId)) return { ok: false, problem: 'a step names another run than its record' };
  return { ok: true, steps: parsed.data as StepLatents[] };
}

/** The run a message reports for, if any (for the "only the run it holds" check). */
export function messageRunId(msg: WorkerToHost): string | undefined {
  return msg.type === 'event' || msg.type === 'done' || msg.type === 'step-latents' ? msg.runId : undefined;
}
