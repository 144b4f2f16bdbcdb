// A run's model key: which weights its graph loads — every (not bypassed) node with a model parameter, with all of
// that node's parameters (a LoRA loader's strengths change the merged weights) — as a short hash. Scaled-mode
// workers advertise the key of what they ran last, and a worker takes a queued run with its key first (affinity).
import crypto from 'node:crypto';
import type { CatalogNode } from '../../nodes/engine/catalog';
import type { Graph } from '../../nodes/engine/graph';
import { getCatalog } from '../../nodes/registry';

let catalog: ReadonlyMap<string, CatalogNode> | undefined;

/** null for graphs that load no model (image operations): any worker is as good as another. */
export function modelKeyOf(graph: Graph): string | null {
  catalog ??= new Map(getCatalog().map((c) => [c.type, c]));
  const parts: string[] = [];
  for (const n of graph.nodes) {
    if (n.mode === 'bypass') continue;
    const spec = catalog.get(n.type);
    if (!spec?.params.some((p) => p.ui.widget === 'model')) continue;
    const params = Object.fromEntries(spec.params.map((p) => [p.name, n.params[p.name] ?? p.default]));
    parts.push(JSON.stringify([n.type, params]));
  }
  if (!parts.length) return null;
  return crypto.createHash('sha256').update(parts.sort().join('\n')).digest('hex').slice(0, 16);
}
