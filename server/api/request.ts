// Reading API requests: who is calling (bearer token, or the session cookie where allowed) and the JSON body
// (application/json only, at most MAX_BODY_BYTES from env.ts).
import type http from 'node:http';
import type { Viewer } from '../auth/access';
import { identifyRequest } from '../auth/api-token';
import type { Services } from '../services';
import { ApiError } from './respond';

const REALM = 'Bearer realm="StepFlow"';

/**
 * AUTH=none: the one trusted user. AUTH=local: a bearer token (a refused one is 401 even if a cookie is
 * present); the session cookie too unless `tokenOnly` (runs started by scripts must carry a token).
 * An anonymous caller may go on only when `anonymous` allows it (reads of public things).
 */
export async function apiViewer(
  services: Pick<Services, 'db' | 'env'>, req: http.IncomingMessage, opts: { tokenOnly: boolean; anonymous: boolean },
): Promise<Viewer> {
  if (services.env.AUTH !== 'local') return { enforced: false, user: null };
  const who = await identifyRequest(services.db, req.headers, { cookie: !opts.tokenOnly });
  if (who.kind === 'invalid_token') {
    throw new ApiError(401, 'invalid_token', who.reason, {}, { 'WWW-Authenticate': `${REALM}, error="invalid_token"` });
  }
  if (who.kind === 'anonymous') {
    if (opts.anonymous) return { enforced: true, user: null };
    throw new ApiError(
      401, 'unauthorized',
      'send a personal API token: "Authorization: Bearer sf_…" (create one under Settings → API tokens)',
      {}, { 'WWW-Authenticate': REALM },
    );
  }
  return { enforced: true, user: who.user };
}

/** Drains what is left of a refused body so the answer reaches the client, then closes the connection. */
function refuseRest(req: http.IncomingMessage, res: http.ServerResponse): void {
  res.setHeader('Connection', 'close');
  req.resume();
}

/**
 * The body as JSON. 415 unless Content-Type is application/json, 413 over MAX_BODY_BYTES (by the declared
 * length, or while reading), 400 for text that is not JSON. An empty body reads as {} (run with defaults).
 */
export async function readJsonBody(req: http.IncomingMessage, res: http.ServerResponse, maxBytes: number): Promise<unknown> {
  const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') {
    refuseRest(req, res);
    throw new ApiError(415, 'unsupported_media_type', `send the inputs as JSON with "Content-Type: application/json" (got ${type ? `"${type}"` : 'no Content-Type'})`);
  }
  const tooLarge = () => new ApiError(
    413, 'payload_too_large', `MAX_BODY_BYTES (${maxBytes}): the body is larger than ${maxBytes} bytes; inputs are small JSON values`,
    { limit: 'MAX_BODY_BYTES', value: maxBytes },
  );
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    refuseRest(req, res);
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  const text = await new Promise<string | null>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.off('data', onData);
        refuseRest(req, res);
        resolve(null);
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
  if (text === null) throw tooLarge();
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ApiError(400, 'invalid_json', `the body is not valid JSON: ${(e as Error).message}`);
  }
}
