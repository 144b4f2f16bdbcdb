'use client';
// The selected node's last output in the shown run, summarised by type: image (thumbnail, size),
// latent (shape, per-channel stats), conditioning (tokens with ids and weights), model (file, LoRAs).
import { useEffect, useState } from 'react';
import type { OutputSummary } from '../../nodes/engine/events';
import { useTRPCClient, type RouterOutputs } from '../lib/trpc';

type RunDetail = RouterOutputs['runs']['get'];

export function InspectorPanel({ runId, nodeId, nodeTitle, refreshKey }: { runId: string | null; nodeId: string | null; nodeTitle(id: string): string; refreshKey: string }) {
  const client = useTRPCClient();
  const [run, setRun] = useState<RunDetail | null>(null);
  useEffect(() => {
    if (!runId) { setRun(null); return; }
    let gone = false;
    client.runs.get.query({ runId }).then((r) => { if (!gone) setRun(r); }).catch(() => {});
    return () => { gone = true; };
  }, [client, runId, refreshKey]);

  if (!nodeId) return <p className="muted">Select a node (or right-click → Run to here) to inspect its output.</p>;
  const result = run?.nodes.find((n) => n.id === nodeId);
  const thumbs = run?.artifacts.filter((a) => a.nodeId === nodeId && (a.kind === 'inspect' || a.kind === 'image')) ?? [];
  return (
    <section className="inspector" data-testid="inspector" data-node-id={nodeId}>
      <h3>{nodeTitle(nodeId)}</h3>
      {!result && <p className="muted" data-testid="inspector-empty">This node did not run in the shown run.</p>}
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
      {d?.stats && (
        <table className="inspector-stats" data-testid="inspector-stats">
          <thead><tr><th>ch</th><th>mean</th><th>std</th><th>min</th><th>max</th></tr></thead>
          <tbody>{d.stats.map((s, i) => (
            <tr key={i}><td>{i}</td><td>{s.mean.toFixed(3)}</td><td>{s.std.toFixed(3)}</td><td>{s.min.toFixed(2)}</td><td>{s.max.toFixed(2)}</td></tr>
          ))}</tbody>
        </table>
      )}
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
