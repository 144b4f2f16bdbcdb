// POST /api/workflows/<id>/runs (run a saved version with the caller's inputs) and
// GET /api/workflows/<id>/inputs (which inputs the owner exposed, their types and defaults).
import type http from 'node:http';
import { applyExposedInputs, describeExposed, type ExposedInputInfo } from '../../nodes/engine/exposed';
import type { Graph } from '../../nodes/engine/graph';
import { getCatalog } from '../../nodes/registry';
import { viewableWorkflow, type Viewer } from '../auth/access';
import { graphLimits, parseGraphFormat } from '../graph-checks';
import { POOL_PATTERN, POOL_SHAPE } from '../queue/pools';
import type { Services } from '../services';
import { readVersion } from '../workflow-store';
import { apiViewer, readJsonBody } from './request';
import { ApiError, requestOrigin, sendJson } from './respond';

export interface ApiRoute {
  /** The workflow or run id from the path. */
  id: string;
  query: URLSearchParams;
}

/** `?pool=NAME`: scaled mode's worker pool for these runs (default: the workflow's meta.pool, else "default"). */
function poolParam(query: URLSearchParams): string | undefined {
  const raw = query.get('pool');
  if (raw === null) return undefined;
  if (!POOL_PATTERN.test(raw)) throw new ApiError(400, 'invalid_pool', `pool must be ${POOL_SHAPE} (got "${raw.slice(0, 80)}")`);
  return raw;
}

/** `?count=N` (batch, 1 to MAX_BATCH_COUNT): that many runs, seed controls applied run after run. */
function countParam(query: URLSearchParams, max: number): number {
  const raw = query.get('count');
  if (raw === null) return 1;
  if (!/^[1-9][0-9]{0,8}$/.test(raw) || Number(raw) > max) {
    throw new ApiError(400, 'invalid_count', `count must be a whole number from 1 to MAX_BATCH_COUNT (${max}) (got "${raw}")`, { limit: 'MAX_BATCH_COUNT', value: max });
  }
  return Number(raw);
}

/** `?version=N` or the workflow's current version. */
function versionParam(query: URLSearchParams): number | undefined {
  const raw = query.get('version');
  if (raw === null) return undefined;
  if (!/^[1-9][0-9]{0,8}$/.test(raw)) throw new ApiError(400, 'invalid_version', `version must be a positive whole number (got "${raw}")`);
  return Number(raw);
}

async function savedGraph(services: Services, viewer: Viewer, route: ApiRoute) {
  const version = versionParam(route.query);
  // The access rules of the app itself (owner, admin, public, link + ?share=): unknown and hidden look alike.
  const workflow = await viewableWorkflow(services.db, viewer, route.id, route.query.get('share') ?? undefined);
  if (workflow.currentVersion < 1) throw new ApiError(409, 'no_version', `workflow "${workflow.name}" has no saved version yet; save it in the editor first`);
  const saved = await readVersion(services.db, workflow.id, version ?? workflow.currentVersion);
  return { workflow, number: saved.number, graph: parseGraphFormat(saved.graph, graphLimits(services.env)) };
}

function describeInput(e: ExposedInputInfo) {
  const { ui } = e;
  return {
    name: e.name, node: e.node, nodeType: e.nodeType, nodeTitle: e.nodeTitle, param: e.param,
    type: ui.valueType, widget: ui.widget, default: e.default,
    ...(ui.label !== undefined && { label: ui.label }),
    ...(ui.description !== undefined && { description: ui.description }),
    ...(ui.min !== undefined && { min: ui.min }),
    ...(ui.max !== undefined && { max: ui.max }),
    ...(ui.step !== undefined && { step: ui.step }),
    ...(ui.maxLength !== undefined && { maxLength: ui.maxLength }),
    ...(ui.choices !== undefined && { choices: ui.choices }),
    ...(ui.modelKind !== undefined && { modelKind: ui.modelKind }),
  };
}

export async function getWorkflowInputs(services: Services, req: http.IncomingMessage, res: http.ServerResponse, route: ApiRoute): Promise<void> {
  const viewer = await apiViewer(services, req, { tokenOnly: false, anonymous: true });
  const { workflow, number, graph } = await savedGraph(services, viewer, route);
  sendJson(res, 200, {
    workflowId: workflow.id,
    name: workflow.name,
    version: number,
    inputs: describeExposed(graph, getCatalog()).map(describeInput),
    runUrl: `/api/workflows/${encodeURIComponent(workflow.id)}/runs`,
  });
}

export async function postWorkflowRun(services: Services, req: http.IncomingMessage, res: http.ServerResponse, route: ApiRoute): Promise<void> {
  const viewer = await apiViewer(services, req, { tokenOnly: true, anonymous: false });
  const { workflow, number, graph } = await savedGraph(services, viewer, route);
  const inputs = await readJsonBody(req, res, services.env.MAX_BODY_BYTES);
  const runGraph: Graph = applyExposedInputs(graph, inputs, getCatalog());
  // The path tRPC's runs.enqueue takes: engine validation (coded problems), seed controls, a Run row, dispatch.
  const count = countParam(route.query, services.env.MAX_BATCH_COUNT);
  const pool = poolParam(route.query);
  const { runId, position, runs } = await services.queue.enqueue({
    graph: runGraph, workflowId: workflow.id, version: number, userId: viewer.user?.id ?? null, count, pool,
  });
  const statusUrl = `/api/runs/${encodeURIComponent(runId)}`;
  sendJson(
    res, 202,
    {
      runId, status: 'queued', position, workflowId: workflow.id, version: number, statusUrl,
      // A batch (?count=N) lists every run; the fields above are its first.
      ...(count > 1 ? { runs: runs.map((r) => ({ runId: r.runId, position: r.position, statusUrl: `/api/runs/${encodeURIComponent(r.runId)}` })) } : {}),
    },
    { Location: `${requestOrigin(req)}${statusUrl}` },
  );
}
