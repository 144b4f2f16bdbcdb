// The API scaled-mode worker hosts call (`npm run worker`), under /api/workers/, with `Authorization: Bearer
// <WORKER_TOKEN>`: a worker needs no database credentials, so claiming a run and recording what it produces go
// through here. Every record names the worker; the database refuses one from a worker that does not hold the run
// (a host declared lost, then heard from again, cannot overwrite what happened since).
import type http from 'node:http';
import type { ArtifactKind } from '../../nodes/define';
import { z } from 'zod';
import { ApiError, sendApiError, sendJson } from '../api/respond';
import type { ArtifactStore } from '../artifacts/store';
import { NotAnImageError } from '../artifacts/image-kind';
import { artifactUrl } from '../artifacts/store';
import type { Db } from '../db';
import type { Metrics } from '../metrics/metrics';
import type { RunQueue } from '../queue/queue';
import type { RunRecorder } from '../queue/run-recorder';
import { parseStepList, parseWorkerMessage } from '../worker/protocol-schema';
import { MissingBlobError, sha256Hex, unpackBlobs } from './blob-wire';
import { stepFromWire } from './step-wire';
import { bearerMatches } from './worker-token';
import type { BatchPolicy } from '../queue/batch-gather';
import { createClaim, workerIdSchema, type AffinitySettings } from './worker-claim';

export type { ClaimedRun } from './worker-claim';

export const WORKER_API_PREFIX = '/api/workers/';
/** A 2048x2048 PNG with its embedded graph is ~10 MB; x4 upscales of large images go well beyond. */
const MAX_BLOB_BYTES = 512 * 1024 * 1024;
/** Records are JSON with blob references instead of bytes: small. */
const MAX_RECORD_BYTES = 16 * 1024 * 1024;

/** What the server tells each worker host at its pre-flight: the run settings are the server's, not the host's. */
export interface WorkerSettings {
  previewFps: number;
  /** PREVIEW_STEPS (absent from an older server: 'watched'). */
  previewSteps?: 'watched' | 'all';
  previewRunsKept: number;
  cancelGraceMs: number;
  runTimeoutMs: number;
}

export interface WorkerApiDeps {
  db: Db;
  store: ArtifactStore;
  recorder: RunRecorder;
  queue: RunQueue;
  token: string;
  settings: WorkerSettings;
  affinity: AffinitySettings;
  batching: BatchPolicy;
  /** Sockets watching a run, across every web server (the Socket.io Redis adapter asks them all). */
  listeners(runId: string, workflowRoom: string | undefined): Promise<number>;
  log: (m: string) => void;
  metrics?: Metrics;
}

const workerId = workerIdSchema;
const failure = z.object({
  status: z.enum(['failed', 'cancelled', 'interrupted']),
  code: z.string().min(1).max(200),
  message: z.string().max(64 * 1024),
  nodeId: z.string().max(200).optional(),
});
const recordSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('node-finished'), workerId, event: z.unknown() }),
  z.object({ op: z.literal('steps'), workerId, steps: z.array(z.unknown()).min(1).max(1024) }),
  z.object({ op: z.literal('finish'), workerId, result: z.unknown() }),
  z.object({
    op: z.literal('fail'), workerId, failure,
    node: z.object({ id: z.string().max(200), type: z.string().max(200), ms: z.number().min(0) }).optional(),
  }),
]);
const FINAL = new Set(['succeeded', 'failed', 'cancelled', 'interrupted']);

async function readBody(req: http.IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    throw new ApiError(413, 'payload_too_large', `the body is larger than ${maxBytes} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new ApiError(413, 'payload_too_large', `the body is larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const text = (await readBody(req, MAX_RECORD_BYTES)).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ApiError(400, 'invalid_json', `the body is not valid JSON: ${(e as Error).message}`);
  }
}

export function createWorkerApi(d: WorkerApiDeps): (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void> {
  const claim = createClaim(d);

  async function putBlob(sha256: string, req: http.IncomingMessage): Promise<unknown> {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new ApiError(400, 'invalid_blob_id', 'a blob is named by its lower-case hex sha256');
    const bytes = await readBody(req, MAX_BLOB_BYTES);
    if (sha256Hex(bytes) !== sha256) throw new ApiError(400, 'blob_hash_mismatch', `the body's sha256 is not ${sha256}`);
    try {
      const file = await d.store.put(bytes, { what: `blob ${sha256}` });
      return { sha256, mime: file.mime, size: file.size };
    } catch (e) {
      if (e instanceof NotAnImageError) throw new ApiError(415, 'not_an_image', e.message);
      throw e;
    }
  }

  async function record(runId: string, raw: unknown): Promise<unknown> {
    const parsed = recordSchema.safeParse(raw);
    if (!parsed.success) throw new ApiError(400, 'invalid_record', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const rec = parsed.data;
    const row = await d.db.run.findUnique({ where: { id: runId }, select: { status: true, workerId: true, workflowId: true, userId: true } });
    if (!row) throw new ApiError(404, 'unknown_run', `no run "${runId}"`);
    if (row.workerId !== rec.workerId) {
      throw new ApiError(409, 'not_your_run', `run "${runId}" is not held by worker ${rec.workerId} (it is ${row.status}, on ${row.workerId ?? 'no worker'})`);
    }
    const ended = FINAL.has(row.status);
    const unpacked = await unpackBlobs(rec, (sha) => d.store.read(sha)) as typeof rec;
    switch (unpacked.op) {
      case 'node-finished': {
        if (ended) throw new ApiError(409, 'run_ended', `run "${runId}" has ended (${row.status})`);
        const msg = parseWorkerMessage({ type: 'event', runId, event: unpacked.event });
        if (!msg.ok || msg.msg.type !== 'event' || msg.msg.event.type !== 'node:finished') {
          throw new ApiError(400, 'invalid_record', msg.ok ? 'expected a node:finished event' : msg.problem);
        }
        await d.recorder.nodeFinished(msg.msg.event);
        return { ok: true };
      }
      case 'steps': {
        if (ended) throw new ApiError(409, 'run_ended', `run "${runId}" has ended (${row.status})`);
        const parsed = parseStepList(runId, unpacked.steps.map(stepFromWire));
        if (!parsed.ok) throw new ApiError(400, 'invalid_record', parsed.problem);
        await d.recorder.storeSteps(runId, parsed.steps);
        return { ok: true };
      }
      case 'finish': {
        const msg = parseWorkerMessage({ type: 'done', runId, result: unpacked.result });
        if (!msg.ok || msg.msg.type !== 'done') throw new ApiError(400, 'invalid_record', msg.ok ? 'expected a run result' : msg.problem);
        if (ended) {
          // A retry after a lost answer: the run was recorded the first time; answer with what was stored. Any other
          // end (declared lost meanwhile, then heard from again) stands: the worker must not announce its own.
          if (row.status === msg.msg.result.status) return { refs: await storedOutputs(runId) };
          throw new ApiError(409, 'run_ended', `run "${runId}" already ended as ${row.status}`);
        }
        const refs = await d.recorder.finish({ runId, workflowId: row.workflowId ?? undefined, userId: row.userId }, msg.msg.result);
        void d.recorder.prunePreviews(d.settings.previewRunsKept).catch((e) => d.log(`pruning previews failed: ${e}`));
        return { refs };
      }
      case 'fail':
        if (!ended) await d.recorder.fail(runId, unpacked.failure, unpacked.node);
        return { ok: true };
    }
  }

  async function storedOutputs(runId: string) {
    const rows = await d.db.artifact.findMany({ where: { runId, kind: { in: ['image', 'temp'] } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
    return rows.map((a) => ({ nodeId: a.nodeId, kind: a.kind as ArtifactKind, filename: a.filename, mime: a.mime, width: a.width, height: a.height, id: a.id, url: artifactUrl(a.id) }));
  }

  return async (req, res) => {
    try {
      if (!bearerMatches(req.headers.authorization, d.token)) {
        req.resume();
        throw new ApiError(401, 'invalid_worker_token', 'the server refused this WORKER_TOKEN');
      }
      const url = new URL(req.url ?? '/', 'http://x');
      const parts = url.pathname.slice(WORKER_API_PREFIX.length).split('/').map(decodeURIComponent);
      const method = req.method ?? 'GET';
      if (parts[0] === 'check' && parts.length === 1 && method === 'GET') return sendJson(res, 200, { ok: true, settings: d.settings });
      if (parts[0] === 'blobs' && parts.length === 2 && method === 'PUT') return sendJson(res, 200, await putBlob(parts[1], req));
      if (parts[0] === 'runs' && parts.length === 3 && method === 'POST') {
        if (parts[2] === 'claim') return sendJson(res, 200, await claim(parts[1], await readJson(req)));
        if (parts[2] === 'record') return sendJson(res, 200, await record(parts[1], await readJson(req)));
      }
      throw new ApiError(404, 'not_found', `no worker route ${method} ${url.pathname}`);
    } catch (e) {
      if (e instanceof ApiError) return sendApiError(res, e);
      if (e instanceof MissingBlobError) return sendApiError(res, new ApiError(400, 'missing_blob', e.message));
      if (e instanceof URIError) return sendApiError(res, new ApiError(404, 'not_found', 'malformed path'));
      d.log(`worker API ${req.method} ${req.url}: ${(e as Error).stack ?? e}`);
      if (!res.headersSent) sendApiError(res, new ApiError(500, 'internal', (e as Error).message));
      else res.end();
    }
  };
}
