'use client';
// What an import brought in and what it could not: source, unsupported ComfyUI nodes, unknown node
// types and the importer's warnings. Stays until dismissed, so nothing left out goes unnoticed.
import type { ImportSummary } from '../document/import-report-store';

const SOURCE_LABEL: Record<ImportSummary['source'], string> = {
  png: 'StepFlow PNG (embedded graph)',
  stepflow: 'StepFlow workflow JSON',
  comfyui: 'ComfyUI API-format JSON',
};

export function ImportReport({ summary, onClose }: { summary: ImportSummary; onClose(): void }) {
  const { report } = summary;
  const clean = !report.unsupported.length && !report.unknownNodeTypes.length && !report.warnings.length;
  return (
    <section className="import-report" data-testid="import-report" aria-label="Import report">
      <header>
        <strong>Imported “{summary.name}”</strong>
        <button type="button" onClick={onClose} aria-label="Close import report">×</button>
      </header>
      <div data-testid="import-source">Source: {SOURCE_LABEL[summary.source]}</div>
      <div className="muted">{report.imported.length} node(s) imported{clean ? ', nothing left out' : ''}</div>
      {report.unsupported.length > 0 && (
        <div data-testid="import-unsupported">
          Unsupported ComfyUI nodes (left out):
          <ul>{report.unsupported.map((u) => <li key={u.id}>{u.classType} (#{u.id}): {u.reason}</li>)}</ul>
        </div>
      )}
      {report.unknownNodeTypes.length > 0 && (
        <div data-testid="import-unknown-types">
          Unknown node types (shown as placeholders): {report.unknownNodeTypes.join(', ')}
        </div>
      )}
      {report.warnings.length > 0 && (
        <ul data-testid="import-warnings">{report.warnings.map((w, i) => <li key={i}>{w}</li>)}</ul>
      )}
    </section>
  );
}
