'use client';
// The palette's "library subgraphs" section: each saved subgraph (newest version) as an entry; a click adds it.
import type { SubgraphDefinition } from '../../../nodes/engine/graph';

interface Entry { id: string; name: string; version: number; definition: SubgraphDefinition }

export function LibrarySubgraphs({ entries, onAdd }: { entries: readonly Entry[]; onAdd(e: Entry): void }) {
  if (!entries.length) return null;
  return (
    <section data-testid="palette-library-subgraphs">
      <h3>library subgraphs</h3>
      {entries.map((e) => (
        <div
          key={e.id} className="palette-item" role="button" tabIndex={0} data-testid="palette-subgraph" data-name={e.name}
          title={`Subgraph of ${e.definition.nodes.length} node(s), version ${e.version}. Click to add.`}
          onClick={() => onAdd(e)} onKeyDown={(k) => k.key === 'Enter' && onAdd(e)}
        >
          <span className="palette-title">{e.name}</span>
          <span className="muted">v{e.version}</span>
        </div>
      ))}
    </section>
  );
}
