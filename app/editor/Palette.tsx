'use client';
// The node palette, generated from the catalog: search, categories, drag onto the canvas or click to add.
import { useMemo, useState } from 'react';
import type { CatalogNode } from '../../nodes/engine/catalog';
import { matchesSearch } from './node-search';
import { socketColor } from './socket-colors';

export const PALETTE_DRAG_TYPE = 'application/x-stepflow-node';

export function Palette({ catalog, onAdd }: { catalog: readonly CatalogNode[]; onAdd(type: string): void }) {
  const [query, setQuery] = useState('');
  const groups = useMemo(() => {
    const byCat = new Map<string, CatalogNode[]>();
    for (const n of catalog) {
      if (!matchesSearch(n, query)) continue;
      byCat.set(n.category, [...(byCat.get(n.category) ?? []), n]);
    }
    return [...byCat.entries()];
  }, [catalog, query]);

  return (
    <aside className="palette" aria-label="Node palette">
      <input
        type="search" className="palette-search" placeholder="Search nodes…" aria-label="Search nodes"
        value={query} onChange={(e) => setQuery(e.target.value)}
      />
      <div className="palette-groups">
        {groups.map(([category, nodes]) => (
          <section key={category}>
            <h3>{category}</h3>
            {nodes.map((n) => (
              <div
                key={n.type}
                className="palette-item"
                data-testid={`palette-item-${n.type}`}
                draggable
                role="button"
                tabIndex={0}
                title={`${n.description}\nDrag onto the canvas, or click to add.`}
                onDragStart={(e) => {
                  e.dataTransfer.setData(PALETTE_DRAG_TYPE, n.type);
                  e.dataTransfer.effectAllowed = 'copy';
                }}
                onClick={() => onAdd(n.type)}
                onKeyDown={(e) => e.key === 'Enter' && onAdd(n.type)}
              >
                <span className="palette-title">{n.title}</span>
                <span className="palette-sockets">
                  {n.outputs.map((o) => <i key={o.name} style={{ background: socketColor(o.type) }} title={o.type} />)}
                </span>
              </div>
            ))}
          </section>
        ))}
        {groups.length === 0 && <p className="muted">No node matches “{query}”.</p>}
      </div>
      <details className="shortcuts">
        <summary>Shortcuts</summary>
        <dl>
          <dt>Ctrl+Enter</dt><dd>Run</dd>
          <dt>Ctrl+S</dt><dd>Save version</dd>
          <dt>Ctrl+Z / Ctrl+Shift+Z</dt><dd>Undo / redo</dd>
          <dt>Ctrl+C / Ctrl+V</dt><dd>Copy / paste nodes</dd>
          <dt>Ctrl+D</dt><dd>Duplicate</dd>
          <dt>Ctrl+A</dt><dd>Select all</dd>
          <dt>Ctrl+B</dt><dd>Bypass selection (inputs pass through)</dd>
          <dt>Del / Backspace</dt><dd>Delete selection</dd>
          <dt>Double-click canvas</dt><dd>Add node there</dd>
          <dt>Double-click node title</dt><dd>Rename node</dd>
          <dt>F8</dt><dd>Pause / resume the run</dd>
          <dt>F10</dt><dd>Step (while paused)</dd>
        </dl>
      </details>
    </aside>
  );
}
