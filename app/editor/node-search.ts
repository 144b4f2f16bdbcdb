// Matching catalog nodes against what the user types in the palette or quick-add box.
import type { CatalogNode } from '../../nodes/engine/catalog';

/** Every typed word must appear in the node's title, type, category or description. */
export function matchesSearch(node: Pick<CatalogNode, 'title' | 'type' | 'category' | 'description'>, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  const hay = `${node.title} ${node.type} ${node.category} ${node.description}`.toLowerCase();
  return q.split(/\s+/).every((word) => hay.includes(word));
}
