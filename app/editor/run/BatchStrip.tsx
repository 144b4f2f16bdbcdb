'use client';
// The images of the last "Run ×N" in the results panel, in queue order (the panel itself shows one run): each opens
// full size; the gallery link shows them large with their seeds. Read from gallery.list as the runs end.
import { useEffect } from 'react';
import Link from 'next/link';
import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '../../lib/trpc';
import type { BatchView } from './batch-state';

export function BatchStrip({ batch, workflowId, onOpen }: { batch: BatchView; workflowId: string; onOpen(url: string): void }) {
  const trpc = useTRPC();
  const succeeded = batch.runIds.filter((id) => batch.status[id] === 'succeeded').length;
  // Newest first, enough for the whole batch; read again each time another of its runs has succeeded.
  const images = useQuery(trpc.gallery.list.queryOptions(
    { workflowId, limit: Math.min(100, batch.runIds.length * 4) },
    { enabled: batch.runIds.length > 1 && succeeded > 0 },
  ));
  const { refetch } = images;
  useEffect(() => {
    if (succeeded > 0) void refetch();
  }, [succeeded, refetch]);
  if (batch.runIds.length < 2 || !images.data) return null;
  const order = new Map(batch.runIds.map((id, i) => [id, i]));
  const mine = images.data.items.filter((i) => order.has(i.runId)).sort((a, b) => order.get(a.runId)! - order.get(b.runId)!);
  if (mine.length === 0) return null;
  return (
    <section className="batch-strip" data-testid="batch-strip" aria-label="Images of this batch">
      <header>
        <span>This batch: {mine.length} of {batch.runIds.length} image(s)</span>
        <Link href={`/gallery?workflow=${encodeURIComponent(workflowId)}`}>Open in gallery</Link>
      </header>
      <div>
        {mine.map((img) => (
          <button key={img.artifactId} type="button" onClick={() => onOpen(img.url)} title={img.params.seed !== null ? `seed ${img.params.seed}` : 'open full size'}>
            <img src={img.url} alt={`seed ${img.params.seed ?? '?'}`} data-testid="batch-image" data-run-id={img.runId} />
          </button>
        ))}
      </div>
    </section>
  );
}
