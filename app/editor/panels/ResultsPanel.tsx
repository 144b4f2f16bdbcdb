'use client';
// The shown run's output images (click for full size, download link, 1–5 rating), its error and run-level warnings.
import type { RunView } from '../run/run-state';
import { artifactUrl, describePromptCache, isTerminal, runWarnings } from '../run/run-state';
import { duration } from '../../lib/time-format';
import { ResultRating, useMyRatings } from './ResultRating';

export function ResultsPanel({ view, nodeTitle, onOpen, shareToken }: {
  view: RunView;
  nodeTitle(id: string): string;
  onOpen(url: string): void;
  /** A link-shared workflow's token: viewers rate the owner's runs with it. */
  shareToken?: string;
}) {
  const promptCache = describePromptCache(view.promptCache);
  const warnings = runWarnings(view);
  // Images are rated once stored (the run's end carries their ids).
  const ratings = useMyRatings(view.runId, isTerminal(view.status) && view.artifacts.some((a) => a.id), shareToken).data;
  return (
    <div className="results-panel" data-testid="results-panel">
      {view.error && (
        <div className="run-error" data-testid="run-error">
          {view.error.nodeId ? <strong>{nodeTitle(view.error.nodeId)}: </strong> : null}
          {view.error.message}
        </div>
      )}
      {warnings.length > 0 && (
        <ul className="run-warnings" data-testid="run-warnings" aria-label="Run warnings">
          {warnings.map((w, i) => <li key={i}>⚠ {w.message}</li>)}
        </ul>
      )}
      {view.artifacts.length === 0 && !view.error && <p className="muted">Outputs of the last run appear here.</p>}
      {Object.keys(view.nodes).length > 0 && (
        <table className="node-timings" data-testid="node-timings">
          <tbody>
            {Object.entries(view.nodes).map(([id, n]) => (
              <tr key={id} className={`node-status-${n.status}`}>
                <td>{nodeTitle(id)}</td>
                <td>{n.status === 'running' && n.total ? `${n.step}/${n.total}` : n.status}</td>
                <td className="num">{n.ms !== undefined ? duration(n.ms) : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {promptCache && <p className="muted" data-testid="prompt-cache">{promptCache}</p>}
      {view.artifacts.map((a) => {
        const url = artifactUrl(a);
        // A Preview Image's picture is shown, not kept: no rating (ratings are for saved outputs, in the gallery).
        const temp = a.kind === 'temp';
        return (
          <figure key={a.id ?? url} className="result" data-kind={a.kind ?? 'image'}>
            <button type="button" onClick={() => onOpen(url)} title="Open full size">
              <img src={url} alt={a.filename} data-testid="result-image" />
            </button>
            <figcaption>
              {nodeTitle(a.nodeId)} · {a.width}×{a.height}{temp && ' · preview, not saved'} · <a href={url} download={a.filename}>download</a>
              {view.runId && a.id && !temp && <> · <ResultRating runId={view.runId} artifactId={a.id} ratings={ratings} shareToken={shareToken} /></>}
            </figcaption>
          </figure>
        );
      })}
    </div>
  );
}
