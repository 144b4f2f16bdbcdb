// Upgrades saved graphs from older format versions to the current one, one version at a time.
// A new format adds GRAPH_MIGRATIONS[v] and bumps GRAPH_FORMAT_VERSION.
import { GRAPH_FORMAT_VERSION, graphSchema, type Graph } from '../engine/graph';
import { WorkflowImportError } from './errors';

/** Turns a graph of version v (as plain JSON) into one of version v + 1; `version` is set by the caller. */
export type GraphMigration = (graph: Record<string, unknown>) => Record<string, unknown>;

/** GRAPH_MIGRATIONS[v] upgrades format v to v + 1. */
export const GRAPH_MIGRATIONS: Readonly<Record<number, GraphMigration>> = Object.freeze({
  // 1 -> 2: editor groups (frames) arrive; a format-1 graph has none. A `groups` key already there is left to the
  // schema, which names what is wrong with it rather than this step dropping it.
  1: (graph) => ({ ...graph, groups: graph.groups ?? [] }),
  // 2 -> 3: subgraph definitions arrive (optional `subgraphs`, nodes of type `subgraph`); a format-2 graph has none,
  // so it is already a valid format-3 graph.
  2: (graph) => graph,
});

/** Graphs saved before the format carried a version are format 1. */
const UNVERSIONED = 1;

/**
 * Runs the migrations from the graph's version up to `target` and returns the upgraded JSON (not yet
 * checked against the schema). Throws unsupported_graph_version for a newer or nonsensical version.
 */
export function migrateGraphJson(
  json: unknown,
  migrations: Readonly<Record<number, GraphMigration>> = GRAPH_MIGRATIONS,
  target: number = GRAPH_FORMAT_VERSION,
): Record<string, unknown> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new WorkflowImportError('invalid_graph', 'a graph must be a JSON object with nodes and edges');
  }
  let graph = json as Record<string, unknown>;
  const raw = graph.version ?? UNVERSIONED;
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 1) {
    throw new WorkflowImportError('unsupported_graph_version', `graph version ${JSON.stringify(raw)} is not a format version (expected an integer from 1 to ${target})`);
  }
  if (raw > target) {
    throw new WorkflowImportError(
      'unsupported_graph_version',
      `this graph uses format version ${raw}, made by a newer StepFlow; this one reads up to version ${target}. Update StepFlow to open it.`,
    );
  }
  for (let v = raw; v < target; v++) {
    const step = migrations[v];
    if (!step) throw new WorkflowImportError('unsupported_graph_version', `no upgrade from graph format ${v} to ${v + 1} is known`);
    graph = { ...step(graph), version: v + 1 };
  }
  return graph.version === target ? graph : { ...graph, version: target };
}

/** Any saved graph version -> the current Graph, checked against the schema. */
export function migrateGraph(json: unknown): Graph {
  const upgraded = migrateGraphJson(json);
  const parsed = graphSchema.safeParse(upgraded);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || 'graph'}: ${i.message}`);
    throw new WorkflowImportError('invalid_graph', `not a valid StepFlow graph: ${issues.join('; ')}`);
  }
  return parsed.data;
}
