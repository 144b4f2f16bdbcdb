// Seed rules of the editor (pure): what a seed widget shows after a run, a new node's seed controls, and the
// notice shown near Run when a run can only repeat a cached result.
import type { CatalogNode } from '../../../nodes/engine/catalog';
import type { Graph, GraphNode, SeedControl } from '../../../nodes/engine/graph';
import { effectiveParam } from '../../../nodes/engine/subgraph-params';
import { innerNodeId, isSubgraph, MAX_SUBGRAPH_DEPTH } from '../../../nodes/engine/subgraph';

/** One seed widget's new value after a run. */
export interface SeedAdvance {
  /** The node's id; with `subgraph`, its id inside that definition. */
  nodeId: string;
  param: string;
  value: number;
  /** The key of the subgraph definition the node is in (absent: a top-level node). */
  subgraph?: string;
}

/** Every node of `graph` with the definition it sits in (undefined: top level). */
function nodesWithDefinition(graph: Pick<Graph, 'nodes' | 'subgraphs'>): [GraphNode, string | undefined][] {
  return [
    ...graph.nodes.map((n): [GraphNode, undefined] => [n, undefined]),
    ...Object.entries(graph.subgraphs ?? {}).flatMap(([key, def]) => def.nodes.map((n): [GraphNode, string] => [n, key])),
  ];
}

/** Controls under which the seed changes from run to run. */
const MOVING = new Set<SeedControl>(['random', 'increment', 'randomize']);

/**
 * What each seed widget shows after the runs of one press, from `ran` (the graph of its last run, seeds applied):
 * 'increment' shows the seed it used (the next run counts on from it), 'randomize' a new draw (the next run uses it,
 * as ComfyUI's control after generate); 'random' (drawn by the server at each run) and 'fixed' stay as they are.
 */
export function seedAdvances(ran: Graph, draw: () => number): SeedAdvance[] {
  const out: SeedAdvance[] = [];
  for (const [n, subgraph] of nodesWithDefinition(ran)) {
    for (const [param, control] of Object.entries(n.controls ?? {})) {
      // A promoted seed the subgraph node does not set ran with the inner value.
      const used = effectiveParam(n, param, ran.subgraphs);
      if (typeof used !== 'number') continue;
      const at = subgraph === undefined ? {} : { subgraph };
      if (control === 'increment') out.push({ nodeId: n.id, param, value: used, ...at });
      else if (control === 'randomize') out.push({ nodeId: n.id, param, value: draw(), ...at });
    }
  }
  return out;
}

/**
 * The seeds a run used, by "node.param", for the "last N" hint beside a seed widget; inner nodes under the ids an
 * opened subgraph shows them by (`<subgraph node>/<inner>`).
 */
export function seedsUsed(ran: Graph): Record<string, number> {
  const seen: Record<string, number> = {};
  const visit = (nodes: readonly GraphNode[], prefix: string, depth: number) => {
    for (const n of nodes) {
      const id = prefix + n.id;
      for (const param of Object.keys(n.controls ?? {})) {
        const value = effectiveParam(n, param, ran.subgraphs);
        if (typeof value === 'number') seen[`${id}.${param}`] = value;
      }
      const def = isSubgraph(n) && n.subgraph !== undefined ? ran.subgraphs?.[n.subgraph] : undefined;
      if (def && depth < MAX_SUBGRAPH_DEPTH) visit(def.nodes, innerNodeId(id, ''), depth + 1);
    }
  };
  visit(ran.nodes, '', 0);
  return seen;
}

/** `nodes` with the advances meant for them written in (unknown nodes are ignored). */
function advanceNodes(nodes: GraphNode[], advances: readonly SeedAdvance[]): GraphNode[] {
  return nodes.map((n) => {
    const mine = advances.filter((a) => a.nodeId === n.id);
    if (!mine.length) return n;
    return { ...n, params: { ...n.params, ...Object.fromEntries(mine.map((a) => [a.param, a.value])) } };
  });
}

/** `graph` with the advanced seeds written in, into its definitions too (the input is not modified). */
export function withSeeds<G extends Pick<Graph, 'nodes' | 'subgraphs'>>(graph: G, advances: readonly SeedAdvance[]): G {
  if (!advances.length) return graph;
  const top = advances.filter((a) => a.subgraph === undefined);
  const out = { ...graph, nodes: advanceNodes(graph.nodes, top) };
  if (graph.subgraphs && top.length < advances.length) out.subgraphs = definitionsWithSeeds(graph.subgraphs, advances);
  return out;
}

/** The definitions with the advances of their inner nodes written in. */
export function definitionsWithSeeds(defs: NonNullable<Graph['subgraphs']>, advances: readonly SeedAdvance[]): NonNullable<Graph['subgraphs']> {
  return Object.fromEntries(Object.entries(defs).map(([key, def]) => {
    const mine = advances.filter((a) => a.subgraph === key);
    return [key, mine.length ? { ...def, nodes: advanceNodes(def.nodes, mine) } : def];
  }));
}

/** A new node's seed controls: every seed param randomizes after each run (undefined: the node has no seed). */
export function defaultControls(params: CatalogNode['params']): Record<string, SeedControl> | undefined {
  const seeds = params.filter((p) => p.ui.widget === 'seed').map((p) => [p.name, 'randomize' as const]);
  return seeds.length ? Object.fromEntries(seeds) : undefined;
}

/** A random seed in the server's range [0, 2^32), from the browser's CSPRNG. */
export function browserRandomSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0];
}

/** A notice near Run: what will happen, and what to do about it (its tooltip). */
export interface CacheNotice {
  text: string;
  hint: string;
}

const HINT = 'Set a seed to "randomize after run" (or change it) for new images.';

/**
 * Why the next press of Run would only repeat a cached result, or null. Only for graphs with a seed (the catalog
 * says which params are seeds), all fixed: a batch of them is identical, and so is the graph this tab last ran
 * (`lastRun`, both as `WorkflowDocument.logical`).
 */
export function cacheNotice(opts: {
  graph: Pick<Graph, 'nodes' | 'subgraphs'>; logical: string; lastRun: string | null; count: number; catalog: ReadonlyMap<string, CatalogNode>;
}): CacheNotice | null {
  const seeded = opts.graph.nodes.some((n) => opts.catalog.get(n.type)?.params.some((p) => p.ui.widget === 'seed'));
  // Seeds inside subgraphs move the run too.
  const moving = nodesWithDefinition(opts.graph).some(([n]) => Object.values(n.controls ?? {}).some((c) => MOVING.has(c)));
  if (!seeded || moving) return null;
  if (opts.count > 1) return { text: `Fixed seeds: these ${opts.count} runs are identical; all but the first come from cache.`, hint: HINT };
  if (opts.lastRun === opts.logical) return { text: 'Nothing changed and seeds are fixed: this run will come from cache.', hint: HINT };
  return null;
}
