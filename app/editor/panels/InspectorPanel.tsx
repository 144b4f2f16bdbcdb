'use client';
// The selected node's last output in the shown run, summarised by type: image (thumbnail, size),
// latent (shape, per-channel stats), conditioning (tokens with ids and weights), model (file, LoRAs); a node the
// debugger holds shows where it is instead (step, sigma/timestep, latent stats, the newest preview).
import { useEffect, useState } from 'react';
import type { OutputSummary } from '../../../nodes/engine/events';
import type { ChannelStats } from '../../../nodes/runtime/tensor';
import { useTRPCClient, type RouterOutputs } from '../../lib/trpc';
import type { NodeRunState, PausePoint } from '../run/run-state';
import { noiseLevel } from '../run/step-log';

type RunDetail = RouterOutputs['runs']['get'];

export function InspectorPanel({ runId, nodeId, nodeTitle, refreshKey, pause, live, previews, latentPreviews }: {
  runId: string | null; nodeId: string | null; nodeTitle(id: string): string; refreshKey: string;
  /** Where the shown run is paused, while it is. */
  pause?: PausePoint;
  /** The shown run's nodes as the live events left them. */
  live?: Readonly<Record<string, NodeRunState>>;
  /** Newest live frames per node: predicted x0, current latent. */
  previews?: Readonly<Record<string, string>>;
  latentPreviews?: Readonly<Record<string, string>>;
}) {
  const client = useTRPCClient();
  const [run, setRun] = useState<RunDetail | null>(null);
  useEffect(() => {
    if (!runId) { setRun(null); return; }
    let gone = false;
    client.runs.get.query({ runId }).then((r) => { if (!gone) setRun(r); }).catch(() => {});
    return () => { gone = true; };
  }, [client, runId, refreshKey]);

  if (!nodeId) return <p className="muted">Select a node (or right-click → Run to here) to inspect its output.</p>;
  if (pause?.nodeId === nodeId) {
    return <PausedNodeView title={nodeTitle(nodeId)} nodeId={nodeId} pause={pause} x0={previews?.[nodeId]} latent={latentPreviews?.[nodeId]} />;
  }
  const result = run?.nodes.find((n) => n.id === nodeId);
  const now = live?.[nodeId];
  const thumbs = run?.artifacts.filter((a) => a.nodeId === nodeId && (a.kind === 'inspect' || a.kind === 'image')) ?? [];
  return (
    <section className="inspector" data-testid="inspector" data-node-id={nodeId}>
      <h3>{nodeTitle(nodeId)}</h3>
      {!result && now?.status === 'running' && (
        <p className="muted" data-testid="inspector-running">Running{now.total ? `: step ${now.step ?? 0} / ${now.total}` : ''}; its output shows when it ends.</p>
      )}
      {!result && now?.status !== 'running' && <p className="muted" data-testid="inspector-empty">This node did not run in the shown run.</p>}
      {result && <p className="muted">{result.status}{result.cached ? ' (cached)' : ''} · {Math.round(result.ms)} ms</p>}
      {result?.batch && (
        <p className="muted" data-testid="inspector-batch">
          {result.batch.size > 1 ? `sampled in a batch of ${result.batch.size} runs` : `sampled alone: ${result.batch.reason ?? 'no batch-mates'}`}
        </p>
      )}
      {result?.outputs.map((o) => (
        <OutputView key={o.name} output={o} thumb={thumbs.find((t) => t.kind === 'inspect' && t.filename.endsWith(`-${o.name}.png`)) ?? (o.type === 'IMAGE' ? thumbs[0] : undefined)} />
      ))}
    </section>
  );
}

/** A node the debugger holds: the step it will take next, with the latent it will take it from. */
function PausedNodeView({ title, nodeId, pause, x0, latent }: { title: string; nodeId: string; pause: PausePoint; x0?: string; latent?: string }) {
  const before = pause.step < 0;
  return (
    <section className="inspector" data-testid="inspector" data-node-id={nodeId} data-paused-step={pause.step}>
      <h3>{title}</h3>
      <p data-testid="inspector-paused">
        {before ? 'Paused before this node runs: it has no output yet.' : `Paused at step ${pause.step} / ${pause.total}`}
      </p>
      {!before && (
        <>
          <p className="muted" data-testid="inspector-noise">{noiseLevel(pause)}</p>
          <div className="preview-pair">
            <figure>
              {x0 ? <img src={x0} alt="predicted x0" data-testid="inspector-x0" /> : <div className="muted">no preview yet</div>}
              <figcaption>predicted x0 (newest step)</figcaption>
            </figure>
            <figure>
              {latent ? <img src={latent} alt="current latent" data-testid="inspector-current-latent" /> : <div className="muted">—</div>}
              <figcaption>current latent</figcaption>
            </figure>
          </div>
          {pause.stats && pause.stats.length > 0 && <StatsTable stats={pause.stats} caption="latent entering this step" />}
        </>
      )}
    </section>
  );
}

function StatsTable({ stats, caption }: { stats: readonly ChannelStats[]; caption?: string }) {
  return (
    <table className="inspector-stats" data-testid="inspector-stats">
      {caption && <caption className="muted">{caption}</caption>}
      <thead><tr><th>ch</th><th>mean</th><th>std</th><th>min</th><th>max</th></tr></thead>
      <tbody>{stats.map((s, i) => (
        <tr key={i}><td>{i}</td><td>{s.mean.toFixed(3)}</td><td>{s.std.toFixed(3)}</td><td>{s.min.toFixed(2)}</td><td>{s.max.toFixed(2)}</td></tr>
      ))}</tbody>
    </table>
  );
}

function OutputView({ output, thumb }: { output: OutputSummary; thumb?: { url: string; width: number; height: number } }) {
  const d = output.details;
  const dims = d?.dims;
  return (
    <div className="inspector-output" data-testid="inspector-output" data-output={output.name} data-type={output.type}>
      <div><strong>{output.name}</strong> <span className="muted">{output.summary}</span></div>
      {output.type === 'LATENT' && thumb && (
        // The latent through the model's latent→RGB projection (one cell = 8 px), not a decode.
        <img src={thumb.url} alt={`${output.name} latent preview`} data-testid="inspector-latent" className="inspector-thumb" />
      )}
      {output.type === 'IMAGE' && (
        <>
          {thumb && <img src={thumb.url} alt={`${output.name} output`} data-testid="inspector-image" className="inspector-thumb" />}
          <div data-testid="inspector-size">{dims ? `${dims[3]}×${dims[2]}` : thumb ? `${thumb.width}×${thumb.height}` : ''}{dims && dims[0] > 1 ? ` · batch ${dims[0]}` : ''}</div>
        </>
      )}
      {d?.stats && <StatsTable stats={d.stats} />}
      {output.type !== 'IMAGE' && dims && <div className="muted">shape {dims.join('×')}</div>}
      {d?.tokens && (
        <table className="inspector-tokens" data-testid="inspector-tokens">
          <thead><tr><th>token</th><th>id</th><th>weight</th></tr></thead>
          <tbody>{d.tokens.map((t, i) => <tr key={i}><td>{t.text}</td><td>{t.id}</td><td>{t.weight}</td></tr>)}</tbody>
        </table>
      )}
      {d?.model && (
        <dl className="inspector-model" data-testid="inspector-model">
          <dt>file</dt><dd>{d.model.file}</dd>
          <dt>provider</dt><dd>{d.model.provider}</dd>
          <dt>LoRAs</dt><dd>{d.model.loras.length ? d.model.loras.map((l) => `${l.name} × ${l.strength}`).join(', ') : 'none'}</dd>
        </dl>
      )}
    </div>
  );
}
