// The input images a graph reads: a scaled worker host fetches those it lacks from the API before a run
// (server/cluster/worker-host.ts), since uploads live with the web servers.
import type { CatalogNode } from '../../nodes/engine/catalog';
import type { Graph } from '../../nodes/engine/graph';
import { isPlainModelName } from '../../nodes/engine/params';

/** The input-image file names a graph reads (params with the `image` widget, defaults included). */
export function inputImagesOf(graph: Graph, catalog: ReadonlyMap<string, CatalogNode>): string[] {
  const names = new Set<string>();
  for (const n of graph.nodes) {
    for (const p of catalog.get(n.type)?.params ?? []) {
      if (p.ui.widget !== 'image') continue;
      const v = n.params[p.name] ?? p.default;
      if (typeof v === 'string' && isPlainModelName(v)) names.add(v);
    }
  }
  return [...names];
}
