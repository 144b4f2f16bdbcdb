// The graph format (JSON) and its zod schema: nodes with params by name, edges by socket name.
import { z } from 'zod';

/** 2 added `groups` (editor frames), 3 `subgraphs`. Older formats are upgraded by nodes/interop/migrate.ts. */
export const GRAPH_FORMAT_VERSION = 3;

const id = z.string().min(1).max(200);

/**
 * A value that JSON can store. Graphs arrive through superjson, which also carries bigint and circular objects;
 * a graph holding one passed the format check, then made saving or enqueueing throw (a 500) at JSON.stringify.
 */
const jsonStorable = z.unknown().superRefine((value, ctx) => {
  try {
    JSON.stringify(value);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: `must be plain JSON (${(e as Error).message})` });
  }
});

/** How a seed param changes from run to run (server/queue/seed-controls.ts, app/editor/run/seed-advance.ts). */
export const SEED_CONTROLS = ['fixed', 'random', 'increment', 'randomize'] as const;
export type SeedControl = (typeof SEED_CONTROLS)[number];

export const graphNodeSchema = z.object({
  id,
  type: z.string().min(1).max(200),
  typeVersion: z.number().int().min(1).default(1),
  params: z.record(z.string(), jsonStorable).default({}),
  position: z.object({ x: z.number(), y: z.number() }).optional(),
  title: z.string().max(200).optional(),
  /**
   * Per-param seed controls, e.g. { seed: 'randomize' }. 'random' and 'increment' are applied by the server before each
   * run; 'randomize' (after run, as ComfyUI) runs the seed as given, and the editor then shows a new random one.
   */
  controls: z.record(z.string(), z.enum(SEED_CONTROLS)).optional(),
  /** bypass: the node does not run; its inputs pass through to its outputs of the same type (engine/bypass.ts). */
  mode: z.enum(['bypass']).optional(),
  /**
   * Params converted to inputs: drawn as input handles, fed by a primitive node's wire (an edge whose `to.input` names
   * the param) instead of the widget (engine/param-inputs.ts). A converted param without a wire is a missing input.
   */
  paramInputs: z.array(z.string().min(1).max(200)).max(100).optional(),
  /** Shown as its title bar only in the editor (sockets still connectable); nothing else changes. */
  collapsed: z.boolean().optional(),
  /** The editor's tint of the node (#rrggbb); like `pinned`, runs, validation and cache keys never read it. */
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour as #rrggbb').optional(),
  /** The editor does not let the node be dragged (still selectable and connectable). */
  pinned: z.boolean().optional(),
  /** On a node of type `subgraph` (engine/subgraph.ts): the key of its definition in the graph's `subgraphs`. */
  subgraph: id.optional(),
});

export const graphEdgeSchema = z.object({
  from: z.object({ node: id, output: z.string().min(1) }),
  to: z.object({ node: id, input: z.string().min(1) }),
});

const coordinate = z.number().finite();
const extent = z.number().finite().min(1).max(1_000_000);

/**
 * A titled, coloured frame around nodes (editor-only: execution, validation and cache keys never read it). Membership
 * is not stored: a node belongs to the frames its centre lies in (app/editor/groups/geometry.ts).
 */
export const graphGroupSchema = z.object({
  id,
  title: z.string().max(200),
  /** #rrggbb */
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour as #rrggbb'),
  bounds: z.object({ x: coordinate, y: coordinate, width: extent, height: extent }),
});

/**
 * Every format up to the current one passes: each change so far only added optional fields, so a format-1 graph
 * (stored versions, API clients, shipped templates) is a valid current graph without groups. A change that is not
 * additive must route parsing through migrateGraph instead of widening this range.
 */
const formatVersion = z.number().int().min(1).max(GRAPH_FORMAT_VERSION, {
  message: `this graph uses a newer format than this StepFlow reads (up to version ${GRAPH_FORMAT_VERSION}); update StepFlow to open it`,
});

const socketName = z.string().min(1).max(200);
const nodeSocket = z.object({ node: id, input: socketName });

/**
 * A subgraph definition (engine/subgraph.ts): an inner graph whose sockets are its `inputs` (each feeds inner inputs)
 * and `outputs` (each an inner output), and whose `params` are inner params promoted to the subgraph node. Inner
 * nodes of type `subgraph` name other definitions of the same graph. `library` is the saved library entry this is a
 * copy of, pinned at one version.
 */
export const subgraphDefinitionSchema = z.object({
  name: z.string().min(1).max(200),
  nodes: z.array(graphNodeSchema).max(10_000),
  edges: z.array(graphEdgeSchema).max(40_000),
  inputs: z.array(z.object({ name: socketName, type: z.string().min(1).max(100), to: z.array(nodeSocket).min(1).max(100) })).max(200),
  outputs: z.array(z.object({ name: socketName, type: z.string().min(1).max(100), from: z.object({ node: id, output: socketName }) })).max(200),
  params: z.array(z.object({ name: socketName, node: id, param: socketName })).max(200).default([]),
  library: z.object({ id: z.string().min(1).max(200), version: z.number().int().min(1) }).optional(),
});

export const graphSchema = z.object({
  version: formatVersion.default(GRAPH_FORMAT_VERSION),
  nodes: z.array(graphNodeSchema).max(100_000),
  edges: z.array(graphEdgeSchema).max(400_000),
  /** Absent = none. */
  groups: z.array(graphGroupSchema).max(10_000).superRefine((groups, ctx) => {
    const seen = new Set<string>();
    groups.forEach((g, i) => {
      if (seen.has(g.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate group id "${g.id}"` });
      seen.add(g.id);
    });
  }).optional(),
  /** Subgraph definitions by key (absent = none). */
  subgraphs: z.record(id, subgraphDefinitionSchema).optional(),
  meta: z.record(z.string(), jsonStorable).optional(),
});

export type Graph = z.infer<typeof graphSchema>;
export type GraphNode = z.infer<typeof graphNodeSchema>;
export type GraphEdge = z.infer<typeof graphEdgeSchema>;
export type GraphGroup = z.infer<typeof graphGroupSchema>;
export type SubgraphDefinition = z.infer<typeof subgraphDefinitionSchema>;
