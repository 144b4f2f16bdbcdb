'use client';
// The palette's "library subgraphs" section: each saved subgraph (newest version) as an entry; a click adds it. The
// user's own entries can be renamed, shared with everyone (public) or kept private, and deleted (after a confirm);
// others' public entries are read-only and say whose they are.
import { useId, useState, type MouseEvent } from 'react';
import { ConfirmDialog } from '../../shell/ConfirmDialog';
import type { LibraryEntry } from './useSubgraphLibrary';

interface Props {
  entries: readonly LibraryEntry[];
  onAdd(e: LibraryEntry): void;
  onRename(e: LibraryEntry, name: string): void;
  onDelete(e: LibraryEntry): void;
  onShare(e: LibraryEntry, shared: boolean): void;
}

export function LibrarySubgraphs({ entries, onAdd, onRename, onDelete, onShare }: Props) {
  const [renaming, setRenaming] = useState<LibraryEntry | null>(null);
  const [deleting, setDeleting] = useState<LibraryEntry | null>(null);
  if (!entries.length) return null;
  // The entry's buttons act on it alone: the click must not also add it to the canvas.
  const only = (f: () => void) => (e: MouseEvent) => { e.stopPropagation(); f(); };
  return (
    <section data-testid="palette-library-subgraphs">
      <h3>library subgraphs</h3>
      {entries.map((e) => (
        <div
          key={e.id} className="palette-item palette-subgraph" role="button" tabIndex={0} data-testid="palette-subgraph" data-name={e.name}
          title={`Subgraph of ${e.definition.nodes.length} node(s), version ${e.version}${e.mine ? '' : ` by ${e.owner ?? 'someone else'} (read-only)`}. Click to add.`}
          onClick={() => onAdd(e)} onKeyDown={(k) => k.target === k.currentTarget && k.key === 'Enter' && onAdd(e)}
        >
          <span className="palette-title">{e.name}</span>
          <span className="muted">{e.mine ? (e.visibility === 'public' ? 'shared · ' : '') : `by ${e.owner ?? '?'} · `}v{e.version}</span>
          {e.mine && (
            <span className="palette-subgraph-actions">
              <button type="button" aria-label={`Rename ${e.name}`} title="Rename" onClick={only(() => setRenaming(e))}>✎</button>
              <button
                type="button" aria-pressed={e.visibility === 'public'} aria-label={`Share ${e.name} with everyone`}
                title={e.visibility === 'public' ? 'Shared: in everyone\'s palette, read-only for them. Click to make it yours only.' : 'Share: put it in everyone\'s palette, read-only for them'}
                onClick={only(() => onShare(e, e.visibility !== 'public'))}
              >⇪</button>
              <button type="button" className="danger" aria-label={`Delete ${e.name}`} title="Delete" onClick={only(() => setDeleting(e))}>✕</button>
            </span>
          )}
        </div>
      ))}
      {renaming && <RenameDialog entry={renaming} onCancel={() => setRenaming(null)} onRename={(name) => { onRename(renaming, name); setRenaming(null); }} />}
      {deleting && (
        <ConfirmDialog
          title="Delete library subgraph?"
          message={`“${deleting.name}” leaves the palette${deleting.visibility === 'public' ? ', everyone’s included' : ''}. Workflows that use it keep their own copy and run as before.`}
          confirmLabel="Delete"
          onCancel={() => setDeleting(null)}
          onConfirm={() => { onDelete(deleting); setDeleting(null); }}
        />
      )}
    </section>
  );
}

function RenameDialog({ entry, onRename, onCancel }: { entry: LibraryEntry; onRename(name: string): void; onCancel(): void }) {
  const [name, setName] = useState(entry.name);
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  const submit = () => {
    if (!name.trim()) setError('Give the subgraph a name.');
    else onRename(name.trim());
  };
  return (
    <ConfirmDialog title="Rename library subgraph" message="Copies already in workflows keep their names." confirmLabel="Rename" danger={false} onConfirm={submit} onCancel={onCancel}>
      <label className="dialog-field">
        Name
        <input
          value={name} maxLength={200} aria-invalid={error !== null} aria-describedby={error ? `${id}-error` : undefined}
          onChange={(e) => { setName(e.target.value); setError(null); }}
        />
      </label>
      {error && <p id={`${id}-error`} className="dialog-error" role="alert">{error}</p>}
    </ConfirmDialog>
  );
}
