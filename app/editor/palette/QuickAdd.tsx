'use client';
// The search box that opens where the canvas was double-clicked, or where a wire was dropped (then only the nodes
// that can take that wire are listed); Enter adds the best match there.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { CatalogNode } from '../../../nodes/engine/catalog';
import { fitsWire, searchNodes, type DroppedWire } from './node-search';
import { recentNodes, rememberNode } from './recent-nodes';

interface Props {
  catalog: readonly CatalogNode[];
  /** Screen position relative to the canvas wrapper. */
  at: { x: number; y: number };
  onPick(type: string): void;
  onClose(): void;
  /** A wire dropped on the canvas: list only the nodes that can take it. */
  wire?: DroppedWire;
}

export function QuickAdd({ catalog: all, at, onPick, onClose, wire }: Props) {
  const catalog = useMemo(() => (wire ? all.filter((n) => fitsWire(n, wire)) : all), [all, wire]);
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const [recent] = useState(recentNodes);
  const matches = useMemo(() => searchNodes(catalog, query, recent).slice(0, 12), [catalog, query, recent]);
  const pick = (type: string) => { rememberNode(type); onPick(type); };
  useEffect(() => input.current?.focus(), []);
  useEffect(() => setActive(0), [query]);

  return (
    <div className="quick-add" style={{ left: at.x, top: at.y }} data-testid="quick-add" onMouseDown={(e) => e.stopPropagation()}>
      <input
        ref={input} type="search" value={query}
        placeholder={wire?.type ? `Add node with ${wire.side === 'source' ? 'an input' : 'an output'} of ${wire.type}…` : 'Add node…'}
        aria-label="Add node" data-wire-type={wire?.type}
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') onClose();
          else if (e.key === 'ArrowDown') setActive((i) => Math.min(i + 1, matches.length - 1));
          else if (e.key === 'ArrowUp') setActive((i) => Math.max(i - 1, 0));
          else if (e.key === 'Enter' && matches[active]) pick(matches[active].node.type);
        }}
        onBlur={() => setTimeout(onClose, 150)}
      />
      <ul role="listbox">
        {matches.map(({ node: n, via }, i) => (
          <li key={n.type} role="option" aria-selected={i === active} className={i === active ? 'active' : ''}
            onMouseDown={(e) => { e.preventDefault(); pick(n.type); }}>
            <span>{n.title}</span> <span className="muted">{via ? `${via} · ` : ''}{n.category}</span>
          </li>
        ))}
        {matches.length === 0 && <li className="muted">no match</li>}
      </ul>
    </div>
  );
}
