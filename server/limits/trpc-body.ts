// Request body caps of /api/trpc: MAX_BODY_BYTES for everything, room for a base64 file of up to
// MAX_UPLOAD_BYTES for the procedures that carry one (inputs.upload, workflows.import). A refusal is a tRPC
// PAYLOAD_TOO_LARGE (HTTP 413) naming the limit, thrown from createContext so every call of a batch gets it.
import type http from 'node:http';
import { MAX_UPLOAD_BYTES } from '../inputs/uploads';
import { limitError } from './limit-error';
import { percentDecode } from '../http/percent-decode';

/** Base64 of MAX_UPLOAD_BYTES, with room for padding: the longest file field an upload or import may have. */
export const MAX_UPLOAD_BASE64 = Math.ceil(MAX_UPLOAD_BYTES / 3) * 4 + 4;
/** The rest of an upload's JSON (file name, superjson envelope). */
const UPLOAD_ENVELOPE_BYTES = 64 * 1024;
const FILE_PROCEDURES = new Set(['inputs.upload', 'workflows.import']);

/** A batch (`/api/trpc/a,b?batch=1`) gets the largest allowance among its calls: each call's input is checked by its own schema. */
export function trpcBodyLimit(url: string, maxBodyBytes: number): number {
  const raw = url.slice('/api/trpc/'.length).split('?')[0];
  // A malformed path is tRPC's to answer; undecoded, it names no file procedure, so the cap is the ordinary one.
  const paths = (percentDecode(raw) ?? raw).split(',');
  const carriesFile = paths.some((p) => FILE_PROCEDURES.has(p));
  return carriesFile ? Math.max(maxBodyBytes, MAX_UPLOAD_BASE64 + UPLOAD_ENVELOPE_BYTES) : maxBodyBytes;
}

interface Refusal { limit: number; size: number | null }
const refused = new WeakMap<http.IncomingMessage, Refusal>();

function refuse(req: http.IncomingMessage, res: http.ServerResponse, r: Refusal): void {
  refused.set(req, r);
  // The rest of the body is not wanted: drain what arrives and close the connection after the answer.
  res.setHeader('Connection', 'close');
  req.resume();
}

/**
 * Before tRPC sees the request: a declared Content-Length over the limit is refused unread; a chunked body
 * (no length) is read here within the limit and handed to tRPC as `req.body`.
 */
export async function screenTrpcBody(req: http.IncomingMessage, res: http.ServerResponse, maxBodyBytes: number): Promise<void> {
  if (req.method !== 'POST') return;
  const limit = trpcBodyLimit(req.url ?? '', maxBodyBytes);
  const declared = Number(req.headers['content-length']);
  if (req.headers['content-length'] !== undefined && Number.isFinite(declared)) {
    if (declared > limit) refuse(req, res, { limit, size: declared });
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  const text = await new Promise<string | null>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.off('data', onData);
      resolve(null);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
  if (text === null) refuse(req, res, { limit, size: null });
  // tRPC's node adapter takes a string `body` as the request body instead of reading the stream.
  (req as http.IncomingMessage & { body?: string }).body = text ?? '';
}

/** Called from createContext: the refusal as a tRPC error (every call of a batch answers with it). */
export function assertTrpcBodyAccepted(req: http.IncomingMessage | undefined, maxBodyBytes: number): void {
  const r = req && refused.get(req);
  if (!r) return;
  const size = r.size === null ? 'larger than that' : `${r.size} bytes`;
  const files = r.limit > maxBodyBytes ? ` (uploads and imports: files up to ${MAX_UPLOAD_BYTES / 2 ** 20} MB)` : '';
  throw limitError('PAYLOAD_TOO_LARGE', 'MAX_BODY_BYTES', r.limit,
    `MAX_BODY_BYTES (${r.limit}): the request body is ${size}; requests may carry at most ${r.limit} bytes${files}`);
}
