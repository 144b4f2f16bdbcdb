'use client';
// The shipped workflows/*.json offered as starting points ("Use template" creates and opens a copy).
import { useQuery } from '@tanstack/react-query';
import { useTRPC, type RouterOutputs } from '../lib/trpc';

type Template = RouterOutputs['workflows']['templates'][number];

export function TemplateList({ onUse, busy }: { onUse(t: Template): void; busy: boolean }) {
  const trpc = useTRPC();
  const templates = useQuery(trpc.workflows.templates.queryOptions());
  return (
    <section>
      <h2>Templates</h2>
      {templates.error && <p className="error">Could not load templates: {templates.error.message}</p>}
      <div className="card-grid">
        {templates.data?.map((t) => (
          <article key={t.file} className="card template" data-testid="template-card" data-template-file={t.file}>
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
    </section>
  );
}
