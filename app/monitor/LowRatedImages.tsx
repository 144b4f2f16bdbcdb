'use client';
// The lowest-rated images of the window as thumbnails, each opening its run.
import Link from 'next/link';
import type { Summary } from './summary-type';

export function LowRatedImages({ s }: { s: Summary }) {
  return (
    <section className="monitor-panel">
      <h3>Lowest-rated images</h3>
      {s.lowestRated.length === 0 ? <p className="muted">No ratings in this window.</p> : (
        <div className="low-rated" data-testid="low-rated">
          {s.lowestRated.map((i) => (
            <figure key={i.artifactId} data-testid="low-rated-image" data-run-id={i.runId} data-mean={i.mean}>
              <Link href={`/runs?run=${encodeURIComponent(i.runId)}`}><img src={i.url} alt={`rated ${i.mean.toFixed(1)}: ${i.name}`} loading="lazy" /></Link>
              <figcaption>{i.mean.toFixed(1)} <span className="muted">n={i.count} · {i.name}</span></figcaption>
            </figure>
          ))}
        </div>
      )}
    </section>
  );
}
