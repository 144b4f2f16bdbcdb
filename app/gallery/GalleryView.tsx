'use client';
// The outputs gallery: my images, newest first (all, or one workflow's), as large cards whose facts show on hover;
// a click opens the viewer (←/→ through the list), two picked cards open side by side.
import { useState } from 'react';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc';
import { TopNav } from '../shell/TopNav';
import { WorkflowFilter } from '../shell/WorkflowFilter';
import { CompareView } from './CompareView';
import { GalleryViewer } from './GalleryViewer';
import { imageFacts, type GalleryImage } from './image-facts';
import './gallery.css';

const PAGE = 40;
/** Facts on a card's hover panel: the rest are in the viewer. */
const CARD_FACTS = new Set(['seed', 'prompt', 'steps', 'CFG', 'sampler', 'workflow']);

export function GalleryView({ initialWorkflowId }: { initialWorkflowId?: string }) {
  const trpc = useTRPC();
  const [workflowId, setWorkflowId] = useState(initialWorkflowId ?? '');
  const [open, setOpen] = useState<number | null>(null);
  const [picked, setPicked] = useState<string[]>([]);
  const [comparing, setComparing] = useState(false);
  const images = useInfiniteQuery(trpc.gallery.list.infiniteQueryOptions(
    { workflowId: workflowId || undefined, limit: PAGE },
    { getNextPageParam: (last) => last.nextCursor ?? undefined },
  ));
  const items = images.data?.pages.flatMap((p) => p.items) ?? [];
  const byId = new Map(items.map((i) => [i.artifactId, i]));
  const pickedImages = picked.map((id) => byId.get(id)).filter((i): i is GalleryImage => Boolean(i));

  const togglePick = (id: string) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p, id].slice(-2)));
  const filter = (id: string) => {
    setWorkflowId(id);
    setPicked([]);
    // Keep the filter in the address so a reload or a shared link shows the same images.
    window.history.replaceState(null, '', id ? `/gallery?workflow=${encodeURIComponent(id)}` : '/gallery');
  };

  return (
    <div className="page">
      <TopNav />
      <main className="page-body">
        <div className="gallery-bar">
          <h2>Outputs</h2>
          <WorkflowFilter value={workflowId} onChange={filter} />
          <span className="muted" data-testid="compare-hint">
            {picked.length === 0 ? 'Pick two images to compare them side by side' : `${picked.length} of 2 picked`}
          </span>
          <button type="button" disabled={pickedImages.length !== 2} onClick={() => setComparing(true)}>Compare</button>
          {picked.length > 0 && <button type="button" onClick={() => setPicked([])}>Clear</button>}
        </div>
        {images.error && <p className="error" role="alert">Could not load images: {images.error.message}</p>}
        {!images.isLoading && items.length === 0 && <p className="muted">No images yet: run a workflow and its outputs show here.</p>}
        <ul className="gallery-grid" data-testid="gallery-grid">
          {items.map((img, index) => (
            <li
              key={img.artifactId} className={`gallery-card${picked.includes(img.artifactId) ? ' picked' : ''}`}
              data-testid="gallery-card" data-artifact-id={img.artifactId} data-run-id={img.runId}
            >
              <button type="button" className="gallery-open" onClick={() => setOpen(index)} aria-label={`Open image ${index + 1}${img.params.seed !== null ? `, seed ${img.params.seed}` : ''}`}>
                <img src={img.url} alt={img.params.prompt ?? 'output'} loading="lazy" />
              </button>
              <dl className="gallery-card-facts" data-testid="card-facts">
                {imageFacts(img).filter((f) => CARD_FACTS.has(f.label)).map((f) => (
                  <div key={f.label}><dt>{f.label}</dt><dd>{f.value}</dd></div>
                ))}
              </dl>
              <label className="gallery-pick">
                <input type="checkbox" checked={picked.includes(img.artifactId)} onChange={() => togglePick(img.artifactId)} /> compare
              </label>
            </li>
          ))}
        </ul>
        {images.hasNextPage && (
          <button type="button" onClick={() => void images.fetchNextPage()} disabled={images.isFetchingNextPage}>Load more</button>
        )}
      </main>
      {open !== null && items[open] && (
        <GalleryViewer
          images={items} index={open} onIndex={setOpen} onClose={() => setOpen(null)}
          hasMore={Boolean(images.hasNextPage)} loadMore={() => void images.fetchNextPage()}
        />
      )}
      {comparing && pickedImages.length === 2 && <CompareView images={pickedImages as [GalleryImage, GalleryImage]} onClose={() => setComparing(false)} />}
    </div>
  );
}
