// Graph checks at the server's edge: size caps (MAX_GRAPH_NODES / _EDGES / MAX_META_BYTES), the zod format
// (always) and the engine's semantic validation (with the MAX_IMAGE_PIXELS size propagation).
import { TRPCError } from '@trpc/server';
import { graphSchema, type Graph } from '../nodes/engine/graph';
import { validateGraph, type GraphProblem } from '../nodes/engine/validate';
import { getCatalog, registry } from '../nodes/registry';
import type { ModelStore } from '../nodes/runtime/models';
import type { Db } from './db';
import type { Env } from './env';
import { inputImageUses, unusableInputs } from './inputs/access';
import { limitError } from './limits/limit-error';
import { GraphRejectedError } from './trpc';

export interface GraphLimits {
  maxNodes: number;
  maxEdges: number;
  maxMetaBytes: number;
  maxImagePixels: number;
}

export function graphLimits(env: Pick<Env, 'MAX_GRAPH_NODES' | 'MAX_GRAPH_EDGES' | 'MAX_META_BYTES' | 'MAX_IMAGE_PIXELS'>): GraphLimits {
  return { maxNodes: env.MAX_GRAPH_NODES, maxEdges: env.MAX_GRAPH_EDGES, maxMetaBytes: env.MAX_META_BYTES, maxImagePixels: env.MAX_IMAGE_PIXELS };
}

function reject(message: string, problems: GraphProblem[]): never {
  throw new TRPCError({ code: 'BAD_REQUEST', message, cause: new GraphRejectedError(message, problems) });
}

/**
 * Counted on the raw input, before the schema walks every node: an oversized graph costs no more than its
 * length. The engine itself runs larger graphs (CLI, benches); the caps are this server's.
 */
export function checkGraphSize(input: unknown, limits: GraphLimits): void {
  if (typeof input !== 'object' || input === null) return;
  const { nodes, edges, meta } = input as { nodes?: unknown; edges?: unknown; meta?: unknown };
  if (Array.isArray(nodes) && nodes.length > limits.maxNodes) {
    throw limitError('BAD_REQUEST', 'MAX_GRAPH_NODES', limits.maxNodes,
      `MAX_GRAPH_NODES (${limits.maxNodes}): the graph has ${nodes.length} nodes; split it into smaller workflows`);
  }
  if (Array.isArray(edges) && edges.length > limits.maxEdges) {
    throw limitError('BAD_REQUEST', 'MAX_GRAPH_EDGES', limits.maxEdges,
      `MAX_GRAPH_EDGES (${limits.maxEdges}): the graph has ${edges.length} edges; split it into smaller workflows`);
  }
  if (meta !== undefined) {
    const bytes = jsonBytes(meta);
    if (bytes !== undefined && bytes > limits.maxMetaBytes) {
      throw limitError('BAD_REQUEST', 'MAX_META_BYTES', limits.maxMetaBytes,
        `MAX_META_BYTES (${limits.maxMetaBytes}): the graph's meta is ${bytes} bytes of JSON; keep notes and editor state smaller`);
    }
  }
}

/**
 * Bytes of `value` as JSON; undefined when it is not JSON at all (a bigint or a cycle, which superjson can carry):
 * the format check then refuses it as invalid_graph naming the field, rather than this throwing a 500.
 */
function jsonBytes(value: unknown): number | undefined {
  try {
    return Buffer.byteLength(JSON.stringify(value) ?? '');
  } catch {
    return undefined;
  }
}

/** The caps and the graph format only: what a save needs (work in progress may still have semantic problems). */
export function parseGraphFormat(input: unknown, limits: GraphLimits): Graph {
  checkGraphSize(input, limits);
  const parsed = graphSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  reject(
    'the graph does not match the graph format',
    parsed.error.issues.slice(0, 50).map((i) => ({ code: 'invalid_graph', message: `${i.path.join('.') || 'graph'}: ${i.message}` })),
  );
}

function validate(graph: unknown, models: ModelStore, limits: GraphLimits, targets?: string[]) {
  return validateGraph(graph, {
    catalog: getCatalog(), models, targets,
    imageSizes: { maxPixels: limits.maxImagePixels, outputSize: (type) => registry.get(type)?.outputSize },
  });
}

/** Every problem the engine finds, including model names that do not resolve inside MODELS_DIR. */
export function graphProblems(graph: unknown, models: ModelStore, limits: GraphLimits, targets?: string[]): GraphProblem[] {
  return validate(graph, models, limits, targets).problems;
}

/**
 * AUTH=local (a run with a user): every input image the graph names must be one this user may use
 * (inputs/access.ts). Unknown and not-yours answer alike — the name is unknown — so names cannot be probed
 * and no other file or folder is named. `viaWorkflowId`: the workflow the run is made from, already checked viewable.
 */
export async function requireUsableInputs(db: Db, graph: Graph, userId: string, viaWorkflowId?: string): Promise<void> {
  const uses = inputImageUses(graph);
  const unusable = new Set(await unusableInputs(db, userId, uses.map((u) => u.name), viaWorkflowId));
  const problems: GraphProblem[] = uses.filter((u) => unusable.has(u.name)).map((u) => ({
    code: 'unknown_input_image', nodeId: u.nodeId, param: u.param,
    message: `node "${u.nodeId}" param "${u.param}": input image "${u.name}" is unknown`,
  }));
  if (problems.length) {
    const n = problems.length;
    reject(`the graph cannot run: ${n} problem${n === 1 ? '' : 's'} (${problems[0].message})`, problems);
  }
}

/** What a run needs: a graph the engine accepts as it is. */
export function requireRunnableGraph(input: unknown, models: ModelStore, limits: GraphLimits, targets?: string[]): Graph {
  const result = validate(input, models, limits, targets);
  if (!result.ok) {
    const n = result.problems.length;
    reject(`the graph cannot run: ${n} problem${n === 1 ? '' : 's'} (${result.problems[0].message})`, result.problems);
  }
  return result.graph;
}
