'use client';
// Scrubs the stored steps of one sampler node of a finished or paused run: each step's predicted x0,
// noisy latent and stats; a pinned step stays beside the scrubbed one for comparison.
import { useEffect, useState } from 'react';
import { useTRPCClient, type RouterOutputs } from '../../lib/trpc';
import { StatsChart } from '../panels/StatsChart';
import { noiseLevel } from './step-log';

type StoredStep = RouterOutputs['runs']['steps'][number];

export function StepTimeline({ runId, nodeId, refreshKey }: { runId: string; nodeId: string; refreshKey: string }) {
  const client = useTRPCClient();
  const [steps, setSteps] = useState<StoredStep[] | null>(null);
  const [index, setIndex] = useState<number | null>(null);
  const [pinned, setPinned] = useState<number | null>(null);

  useEffect(() => {
    let gone = false;
    client.runs.steps.query({ runId, nodeId }).then((s) => {
      if (gone) return;
      setSteps(s);
      // Follow the newest step until the user scrubs.
      setIndex((i) => (i === null || i >= s.length ? (s.length ? s.length - 1 : null) : i));
    }).catch(() => { if (!gone) setSteps([]); });
    return () => { gone = true; };
  }, [client, runId, nodeId, refreshKey]);
  useEffect(() => { setIndex(null); setPinned(null); }, [runId, nodeId]);

  if (!steps) return <p className="muted">Loading steps…</p>;
  if (!steps.length) return <p className="muted" data-testid="timeline-empty">No stored steps for this node (previews are kept for recent runs only).</p>;
  const at = steps[Math.min(index ?? steps.length - 1, steps.length - 1)];
  const pin = pinned !== null ? steps.find((s) => s.step === pinned) : undefined;
  const samples = steps.map((s) => ({ step: s.step, total: s.total, sigma: s.sigma, timestep: s.timestep, stats: s.stats }));
  return (
    <section className="step-timeline" data-testid="step-timeline">
      <h3>Timeline · {nodeId}</h3>
      <label className="timeline-row">
        <span data-testid="timeline-step">step {at.step} / {at.total}</span>
        <input
          type="range" data-testid="timeline-slider" aria-label="Sampler step"
          min={0} max={steps.length - 1} step={1} value={steps.indexOf(at)}
          onChange={(e) => setIndex(Number(e.target.value))}
        />
      </label>
      <div className="timeline-actions">
        <span className="muted">{noiseLevel(at)}</span>
        {pinned === at.step
          ? <button type="button" onClick={() => setPinned(null)}>Unpin</button>
          : <button type="button" onClick={() => setPinned(at.step)} title="Keep this step beside the scrubbed one">Pin step {at.step}</button>}
      </div>
      <div className="timeline-compare">
        <StepImages s={at} testid="timeline" />
        {pin && <StepImages s={pin} testid="timeline-pinned" />}
      </div>
      <div className="stats-charts">
        {at.stats.map((_, c) => <StatsChart key={c} samples={samples} channel={c} marker={at.step} />)}
      </div>
    </section>
  );
}

function StepImages({ s, testid }: { s: StoredStep; testid: string }) {
  return (
    <div className="preview-pair" data-testid={`${testid}-pair`} data-step={s.step}>
      <figure>{s.image && <img src={s.image.url} alt={`x0 step ${s.step}`} data-testid={`${testid}-image`} />}<figcaption>x0 · step {s.step}</figcaption></figure>
      <figure>{s.latent && <img src={s.latent.url} alt={`latent step ${s.step}`} data-testid={`${testid}-latent`} />}<figcaption>latent</figcaption></figure>
    </div>
  );
}
