'use client';
// The paused (or running) sampler's live view: sigma/timestep, per-channel latent statistics over the
// steps so far, and the predicted x0 beside the current noisy latent.
import type { PausePoint } from '../run/run-state';
import { StatsChart } from './StatsChart';
import { noiseLevel, type StepSample } from '../run/step-log';

export function LatentStatsPanel({ samples, pause, x0, latent }: {
  samples: StepSample[]; pause?: PausePoint; x0?: string; latent?: string;
}) {
  const last = samples.length ? samples.reduce((a, b) => (b.step > a.step ? b : a)) : undefined;
  const channels = last?.stats.length ?? 0;
  return (
    <section className="latent-stats" data-testid="latent-stats">
      <h3>Sampler {pause && pause.step >= 0 ? `· next step ${pause.step} / ${pause.total}` : ''}</h3>
      <p className="muted" data-testid="latent-noise">{noiseLevel(pause && pause.step >= 0 ? pause : last) || 'no step yet'}</p>
      <div className="preview-pair">
        <figure>{x0 ? <img src={x0} alt="predicted x0" data-testid="debug-x0" /> : <div className="muted">x0</div>}<figcaption>predicted x0</figcaption></figure>
        <figure>{latent ? <img src={latent} alt="current latent" data-testid="debug-latent" /> : <div className="muted">latent</div>}<figcaption>current latent</figcaption></figure>
      </div>
      <div className="stats-charts">
        {Array.from({ length: channels }, (_, c) => <StatsChart key={c} samples={samples} channel={c} />)}
      </div>
    </section>
  );
}
