// Graph checks at the server's edge: the zod format (always) and the engine's semantic validation.
import { TRPCError } from '@trpc/server';
import { graphSchema, type Graph } from '../nodes/engine/graph';
import { validateGraph, type GraphProblem } from '../nodes/engine/validate';
import { getCatalog } from '../nodes/registry';
import type { ModelStore } from '../nodes/runtime/models';
import type { Db } from './db';
import { inputImageUses, unusableInputs } from './inputs/access';
import { GraphRejectedError } from './trpc';

function reject(message: string, problems: GraphProblem[]): never {
  throw new TRPCError({ code: 'BAD_REQUEST', message, cause: new GraphRejectedError(message, problems) });
}

/** The graph format only: what a save needs (work in progress may still have semantic problems). */
export function parseGraphFormat(input: unknown): Graph {
  const parsed = graphSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  reject(
    'the graph does not match the graph format',
    parsed.error.issues.slice(0, 50).map((i) => ({ code: 'invalid_graph', message: `${i.path.join('.') || 'graph'}: ${i.message}` })),
  );
}

/** Every problem the engine finds, including model names that do not resolve inside MODELS_DIR. */
export function graphProblems(graph: unknown, models: ModelStore, targets?: string[]): GraphProblem[] {
  return validateGraph(graph, { catalog: getCatalog(), models, targets }).problems;
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
export function requireRunnableGraph(input: unknown, models: ModelStore, targets?: string[]): Graph {
  const result = validateGraph(input, { catalog: getCatalog(), models, targets });
  if (!result.ok) {
    const n = result.problems.length;
    reject(`the graph cannot run: ${n} problem${n === 1 ? '' : 's'} (${result.problems[0].message})`, result.problems);
  }
  return result.graph;
}
