'use client';
// The Templates tab: the shipped workflows/*.json offered as starting points, each with a picture of what it makes
// ("Use template" creates and opens a copy). There are few, so the search filters them here, by name and description.
import { useQuery } from '@tanstack/react-query';
import { matchesQuery } from '../../server/workflow-search';
import { useTRPC, type RouterOutputs } from '../lib/trpc';

export type Template = RouterOutputs['workflows']['templates'][number];

export function TemplateList({ q, onUse, busy }: { q: string; onUse(t: Template): void; busy: boolean }) {
  const trpc = useTRPC();
  const templates = useQuery(trpc.workflows.templates.queryOptions());
  // Templates carry no tags, so a "#tag" search rightly finds none.
  const shown = templates.data?.filter((t) => matchesQuery({ ...t, tags: [] }, q));
  return (
    <>
      {templates.isLoading && <p className="muted">Loading…</p>}
      {templates.error && <p className="error" role="alert">Could not load templates: {templates.error.message}</p>}
      {shown?.length === 0 && (
        <p className="muted" data-testid="library-empty">
          {q.trim() ? `No template matches “${q.trim()}”.` : 'This server has no templates (JSON workflows in its workflows/ folder).'}
        </p>
      )}
      <div className="card-grid" data-testid="template-list">
        {shown?.map((t) => (
          <article key={t.file} className="card template" data-testid="template-card" data-template-file={t.file}>
            <div className="card-thumb template-thumb">
              {t.previewUrl
                // What the template makes, rendered on the built-in models when it was shipped.
                ? <img src={t.previewUrl} alt={`What “${t.name}” makes`} width={256} height={256} loading="lazy" decoding="async" data-testid="template-preview" />
                : <span className="muted">no preview</span>}
            </div>
            <div className="card-body">
              <h3>{t.name}</h3>
              <p className="muted">{t.description}</p>
            </div>
            <div className="card-actions">
              <button type="button" className="primary" disabled={busy} onClick={() => onUse(t)} aria-label={`Use template ${t.name}`}>
                Use template
              </button>
            </div>
          </article>
        ))}
      </div>
    </>
  );
}
