// Applies per-param seed controls at enqueue time, run after run of a batch: 'random' draws a new seed, 'increment'
// adds one, 'randomize' (after run) keeps the given seed for the first run and draws for the others. Controls act
// on every node that runs: top-level nodes, the nodes inside subgraph definitions, and subgraph nodes' promoted
// params (counting on from the inner value when the subgraph node does not set its own).
import crypto from 'node:crypto';
import type { Graph, GraphNode } from '../../nodes/engine/graph';
import { effectiveParam } from '../../nodes/engine/subgraph-params';

const SEED_SPACE = 2 ** 32;

export function randomSeed(): number {
  return crypto.randomInt(0, SEED_SPACE);
}

function nextSeed(prev: unknown): number {
  if (typeof prev !== 'number' || !Number.isInteger(prev) || prev < 0 || prev >= Number.MAX_SAFE_INTEGER) return 0;
  return prev + 1;
}

/** `graph` with `step` applied to every node, top level and inside every definition (the input is not modified). */
function mapNodes(graph: Graph, step: (node: GraphNode) => GraphNode): Graph {
  const nodes = graph.nodes.map(step);
  if (!graph.subgraphs) return { ...graph, nodes };
  const subgraphs = Object.fromEntries(Object.entries(graph.subgraphs).map(([key, def]) => [key, { ...def, nodes: def.nodes.map(step) }]));
  return { ...graph, nodes, subgraphs };
}

/**
 * Returns a new graph (the input is not modified) with the seeds run number `runIndex` (0-based) of a batch will use;
 * `graph` is the previous run's graph for runIndex > 0. 'randomize' is ComfyUI's control after generate: the seed
 * shown in the editor is the one the next run uses, so only the batch's later runs need new ones.
 */
export function applySeedControls(graph: Graph, draw: () => number = randomSeed, runIndex = 0): Graph {
  return mapNodes(graph, (node) => {
    const controls = Object.entries(node.controls ?? {}).filter(([, c]) => c !== 'fixed' && (c !== 'randomize' || runIndex > 0));
    if (!controls.length) return node;
    const params = { ...node.params };
    for (const [name, control] of controls) {
      // Read from the graph as given: a promoted seed counts on from the inner value before this run's changes.
      params[name] = control === 'increment' ? nextSeed(effectiveParam(node, name, graph.subgraphs)) : draw();
    }
    return { ...node, params };
  });
}

/**
 * A new copy of a shipped template draws its own 'randomize' seeds: otherwise every fresh "Text to image" would start
 * from the same saved seed, and its first run would be answered from the node cache of someone's earlier copy.
 */
export function drawRandomizedSeeds(graph: Graph, draw: () => number = randomSeed): Graph {
  return mapNodes(graph, (node) => {
    const names = Object.entries(node.controls ?? {}).filter(([, c]) => c === 'randomize').map(([name]) => name);
    return names.length ? { ...node, params: { ...node.params, ...Object.fromEntries(names.map((n) => [n, draw()])) } } : node;
  });
}
