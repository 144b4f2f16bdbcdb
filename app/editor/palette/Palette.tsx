'use client';
// The node palette, generated from the catalog: ranked search, recently added nodes, categories, drag onto the
// canvas or click to add, and the button that opens the keyboard shortcuts overlay.
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import type { CatalogNode } from '../../../nodes/engine/catalog';
import { searchNodes } from './node-search';
import { recentNodes, rememberNode } from './recent-nodes';
import { socketColor } from '../canvas/socket-colors';

export const PALETTE_DRAG_TYPE = 'application/x-stepflow-node';

interface Props {
  catalog: readonly CatalogNode[];
  onAdd(type: string): void;
  /** Opens the keyboard shortcuts overlay (also "?"). */
  onShowShortcuts?(): void;
  /** Shown above the node types (the library's subgraphs). */
  extra?: ReactNode;
}

export function Palette({ catalog, onAdd, onShowShortcuts, extra }: Props) {
  const [query, setQuery] = useState('');
  // Read after mount: the server render has no localStorage.
  const [recent, setRecent] = useState<string[]>([]);
  useEffect(() => setRecent(recentNodes()), []);
  const add = (type: string) => { rememberNode(type); setRecent(recentNodes()); onAdd(type); };
  // Categories in the order of their best match, nodes best first within each.
  const groups = useMemo(() => {
    const byCat = new Map<string, CatalogNode[]>();
    for (const { node } of searchNodes(catalog, query)) byCat.set(node.category, [...(byCat.get(node.category) ?? []), node]);
    return [...byCat.entries()];
  }, [catalog, query]);
  const recentItems = query.trim() ? [] : recent.flatMap((t) => catalog.filter((n) => n.type === t));

  const item = (n: CatalogNode, testId: string): ReactNode => (
    <div
      key={n.type}
      className="palette-item"
      data-testid={testId}
      draggable
      role="button"
      tabIndex={0}
      title={`${n.description}\nDrag onto the canvas, or click to add.`}
      onDragStart={(e) => {
        e.dataTransfer.setData(PALETTE_DRAG_TYPE, n.type);
        e.dataTransfer.effectAllowed = 'copy';
      }}
      // A drop on the canvas remembered the type (Canvas.tsx): show it among the recents.
      onDragEnd={() => setRecent(recentNodes())}
      onClick={() => add(n.type)}
      onKeyDown={(e) => e.key === 'Enter' && add(n.type)}
    >
      <span className="palette-title">{n.title}</span>
      <span className="palette-sockets">
        {n.outputs.map((o) => <i key={o.name} style={{ background: socketColor(o.type) }} title={o.type} />)}
      </span>
    </div>
  );

  return (
    <aside className="palette" aria-label="Node palette">
      <input
        type="search" className="palette-search" placeholder="Search nodes…" aria-label="Search nodes"
        value={query} onChange={(e) => setQuery(e.target.value)}
      />
      <div className="palette-groups">
        {!query.trim() && extra}
        {recentItems.length > 0 && (
          <section>
            <h3>recent</h3>
            {recentItems.map((n) => item(n, `palette-recent-${n.type}`))}
          </section>
        )}
        {groups.map(([category, nodes]) => (
          <section key={category}>
            <h3>{category}</h3>
            {nodes.map((n) => item(n, `palette-item-${n.type}`))}
          </section>
        ))}
        {groups.length === 0 && <p className="muted">No node matches “{query}”.</p>}
      </div>
      {onShowShortcuts && (
        <button type="button" className="palette-shortcuts" onClick={onShowShortcuts} title="Every editor shortcut (?)">
          Keyboard shortcuts <kbd>?</kbd>
        </button>
      )}
    </aside>
  );
}
