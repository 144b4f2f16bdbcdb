// The HTTP API for scripts and other services (server/api/README.md): routes /api/workflows/… and /api/runs/…
// to their handlers and turns every failure into a JSON error with a stable code.
import type http from 'node:http';
import { TRPCError } from '@trpc/server';
import { ExposedInputError } from '../../nodes/engine/exposed';
import type { Services } from '../services';
import { LimitExceededError } from '../limits/limit-error';
import { GraphRejectedError } from '../trpc';
import { ApiError, methodNotAllowed, sendApiError } from './respond';
import { getRunStatus } from './run-status';
import { getWorkflowInputs, postWorkflowRun, type ApiRoute } from './workflow-runs';
import { postRunRating } from './run-rating';
import { percentDecode } from '../http/percent-decode';

type Handler = (services: Services, req: http.IncomingMessage, res: http.ServerResponse, route: ApiRoute) => Promise<void>;

interface Endpoint {
  pattern: RegExp;
  methods: Record<string, Handler>;
}

const ENDPOINTS: Endpoint[] = [
  { pattern: /^\/api\/workflows\/([^/]+)\/runs\/?$/, methods: { POST: postWorkflowRun } },
  { pattern: /^\/api\/workflows\/([^/]+)\/inputs\/?$/, methods: { GET: getWorkflowInputs } },
  { pattern: /^\/api\/runs\/([^/]+)\/?$/, methods: { GET: getRunStatus } },
  { pattern: /^\/api\/runs\/([^/]+)\/rating\/?$/, methods: { POST: postRunRating } },
];

/** Paths this module answers (everything under them, so a typo gets a JSON 404 rather than a web page). */
export function isApiPath(url: string): boolean {
  return url.startsWith('/api/workflows/') || url.startsWith('/api/runs/');
}

const USER_ERRORS = new Set(['invalid_body', 'unknown_input', 'invalid_value']);

/** Errors from shared code (access rules, the queue, the engine) in the API's terms. */
function toApiError(e: unknown): ApiError | null {
  if (e instanceof ApiError) return e;
  if (e instanceof ExposedInputError) {
    // A caller's mistake is 400; an exposed input the owner broke (node deleted, bad list) is the workflow's problem.
    return new ApiError(USER_ERRORS.has(e.code) ? 400 : 422, e.code, e.message, { problems: e.problems });
  }
  if (e instanceof TRPCError) {
    if (e.cause instanceof LimitExceededError) {
      // The same text as the app's error, with the limit as fields for scripts.
      const status = e.code === 'TOO_MANY_REQUESTS' ? 429 : e.code === 'PAYLOAD_TOO_LARGE' ? 413 : 400;
      return new ApiError(status, 'limit_exceeded', e.message, { limit: e.cause.limit, value: e.cause.value });
    }
    if (e.cause instanceof GraphRejectedError) {
      return new ApiError(422, 'graph_invalid', e.message, { problems: e.cause.problems });
    }
    if (e.code === 'NOT_FOUND') return new ApiError(404, 'not_found', e.message);
    if (e.code === 'UNAUTHORIZED') return new ApiError(401, 'unauthorized', e.message, {}, { 'WWW-Authenticate': 'Bearer realm="StepFlow"' });
    if (e.code === 'FORBIDDEN') return new ApiError(403, 'forbidden', e.message);
    if (e.code === 'BAD_REQUEST') return new ApiError(400, 'bad_request', e.message);
    if (e.code === 'CONFLICT') return new ApiError(409, 'conflict', e.message);
  }
  return null;
}

/** The returned handler never rejects (an unhandled rejection would end the process). */
export function createApiHandler(services: Services) {
  return (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => handleApi(services, req, res).catch((e) => {
    services.log(`API ${req.method} ${req.url}: ${(e as Error).stack ?? e}`);
    res.destroy();
  });
}

async function handleApi(services: Services, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  try {
    const endpoint = ENDPOINTS.find((ep) => ep.pattern.test(url.pathname));
    if (!endpoint) {
      throw new ApiError(404, 'not_found', `no API endpoint at ${url.pathname}; see server/api/README.md (POST /api/workflows/<id>/runs, GET /api/workflows/<id>/inputs, GET /api/runs/<id>, POST /api/runs/<id>/rating)`);
    }
    const handler = endpoint.methods[req.method ?? 'GET'];
    if (!handler) throw methodNotAllowed(Object.keys(endpoint.methods), req.method);
    const id = percentDecode(endpoint.pattern.exec(url.pathname)![1]);
    if (id === undefined) throw new ApiError(400, 'invalid_id', `the id in ${url.pathname} is not valid URL encoding`);
    if (id.length > 100) throw new ApiError(404, 'not_found', 'no such id (ids are at most 100 characters)');
    await handler(services, req, res, { id, query: url.searchParams });
  } catch (e) {
    const known = toApiError(e);
    if (!known) services.log(`API ${req.method} ${url.pathname}: ${(e as Error).stack ?? e}`);
    if (res.headersSent) return void res.destroy();
    sendApiError(res, known ?? new ApiError(500, 'internal', 'the server failed to answer; the error is in its log'));
  }
}
