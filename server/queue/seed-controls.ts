// Applies per-param seed controls at enqueue time: 'random' draws a new seed, 'increment' adds one.
import crypto from 'node:crypto';
import type { Graph } from '../../nodes/engine/graph';

const SEED_SPACE = 2 ** 32;

export function randomSeed(): number {
  return crypto.randomInt(0, SEED_SPACE);
}

function nextSeed(prev: unknown): number {
  if (typeof prev !== 'number' || !Number.isInteger(prev) || prev < 0 || prev >= Number.MAX_SAFE_INTEGER) return 0;
  return prev + 1;
}

/** Returns a new graph (the input is not modified) with the seeds this run will use. */
export function applySeedControls(graph: Graph, draw: () => number = randomSeed): Graph {
  return {
    ...graph,
    nodes: graph.nodes.map((node) => {
      const controls = Object.entries(node.controls ?? {}).filter(([, c]) => c !== 'fixed');
      if (!controls.length) return node;
      const params = { ...node.params };
      for (const [name, control] of controls) {
        const prev = params[name];
        params[name] = control === 'random'
          ? draw()
          : nextSeed(prev);
      }
      return { ...node, params };
    }),
  };
}
