// Seed rules of the editor (pure): what a seed widget shows after a run, a new node's seed controls, and the
// notice shown near Run when a run can only repeat a cached result.
import type { CatalogNode } from '../../../nodes/engine/catalog';
import type { Graph, SeedControl } from '../../../nodes/engine/graph';

/** One seed widget's new value after a run. */
export interface SeedAdvance {
  nodeId: string;
  param: string;
  value: number;
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
  for (const n of ran.nodes) {
    for (const [param, control] of Object.entries(n.controls ?? {})) {
      const used = n.params[param];
      if (typeof used !== 'number') continue;
      if (control === 'increment') out.push({ nodeId: n.id, param, value: used });
      else if (control === 'randomize') out.push({ nodeId: n.id, param, value: draw() });
    }
  }
  return out;
}

/** The seeds a run used, by "node.param", for the "last N" hint beside a seed widget. */
export function seedsUsed(ran: Graph): Record<string, number> {
  const seen: Record<string, number> = {};
  for (const n of ran.nodes) {
    for (const param of Object.keys(n.controls ?? {})) {
      const value = n.params[param];
      if (typeof value === 'number') seen[`${n.id}.${param}`] = value;
    }
  }
  return seen;
}

/** `graph` with the advanced seeds written in (the input is not modified; unknown nodes are ignored). */
export function withSeeds<G extends Pick<Graph, 'nodes'>>(graph: G, advances: readonly SeedAdvance[]): G {
  if (!advances.length) return graph;
  return {
    ...graph,
    nodes: graph.nodes.map((n) => {
      const mine = advances.filter((a) => a.nodeId === n.id);
      if (!mine.length) return n;
      return { ...n, params: { ...n.params, ...Object.fromEntries(mine.map((a) => [a.param, a.value])) } };
    }),
  };
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
  graph: Pick<Graph, 'nodes'>; logical: string; lastRun: string | null; count: number; catalog: ReadonlyMap<string, CatalogNode>;
}): CacheNotice | null {
  const seeded = opts.graph.nodes.some((n) => opts.catalog.get(n.type)?.params.some((p) => p.ui.widget === 'seed'));
  const moving = opts.graph.nodes.some((n) => Object.values(n.controls ?? {}).some((c) => MOVING.has(c)));
  if (!seeded || moving) return null;
  if (opts.count > 1) return { text: `Fixed seeds: these ${opts.count} runs are identical; all but the first come from cache.`, hint: HINT };
  if (opts.lastRun === opts.logical) return { text: 'Nothing changed and seeds are fixed: this run will come from cache.', hint: HINT };
  return null;
}
