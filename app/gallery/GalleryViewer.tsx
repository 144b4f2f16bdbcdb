'use client';
// One gallery image at full size with all its facts: ←/→ (keys or buttons) step through the list, loading the next
// page at its end; Esc closes; "Use these parameters" opens the run's exact graph in the editor.
import { useEffect, useState } from 'react';
import { useRouter } from 'next/navigation';
import { RateImage } from '../shell/RateImage';
import { imageFacts, type GalleryImage } from './image-facts';

interface Props {
  images: GalleryImage[];
  index: number;
  onIndex(i: number): void;
  onClose(): void;
  hasMore: boolean;
  loadMore(): void;
}

export function GalleryViewer({ images, index, onIndex, onClose, hasMore, loadMore }: Props) {
  const router = useRouter();
  const image = images[index];
  const last = index === images.length - 1;
  // → at the end of what is loaded asks for the next page, then moves on once it is there.
  const [waitingMore, setWaitingMore] = useState(false);
  useEffect(() => {
    if (waitingMore && index < images.length - 1) {
      setWaitingMore(false);
      onIndex(index + 1);
    }
  }, [waitingMore, index, images.length, onIndex]);
  const prev = () => index > 0 && onIndex(index - 1);
  const next = () => {
    if (!last) onIndex(index + 1);
    else if (hasMore && !waitingMore) {
      setWaitingMore(true);
      loadMore();
    }
  };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // Arrows inside the stars (or a field) belong to them, not to the image list.
      if (e.key !== 'Escape' && (e.target as HTMLElement | null)?.closest?.('[role="radiogroup"], input, textarea, select')) return;
      if (e.key === 'Escape') onClose();
      else if (e.key === 'ArrowLeft') prev();
      else if (e.key === 'ArrowRight') next();
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });
  const openGraph = () => router.push(`/w/${encodeURIComponent(image.workflowId!)}?run=${encodeURIComponent(image.runId)}`);

  return (
    <div className="gallery-viewer" role="dialog" aria-label="Image viewer" onClick={onClose}>
      <div className="gallery-viewer-body" onClick={(e) => e.stopPropagation()}>
        <button type="button" className="gallery-nav" aria-label="Previous image" disabled={index === 0} onClick={prev}>←</button>
        <img src={image.url} alt={image.params.prompt ?? 'output'} data-testid="viewer-image" data-artifact-id={image.artifactId} />
        <button type="button" className="gallery-nav" aria-label="Next image" disabled={last && !hasMore} onClick={next}>→</button>
        <aside className="gallery-viewer-facts">
          <p className="muted" data-testid="viewer-position">{index + 1} of {images.length}{hasMore ? '+' : ''}</p>
          <dl>
            {imageFacts(image).map((f) => <div key={f.label}><dt>{f.label}</dt><dd>{f.value}</dd></div>)}
          </dl>
          <RateImage runId={image.runId} artifactId={image.artifactId} value={image.myRating} />
          <button
            type="button" className="primary" disabled={!image.workflowId} onClick={openGraph}
            title={image.workflowId ? 'Open the exact graph this run used in the editor' : 'An ad-hoc run has no workflow to open'}
          >
            Use these parameters
          </button>
          <a href={image.url} download>Download</a>
          <button type="button" onClick={onClose}>Close</button>
        </aside>
      </div>
    </div>
  );
}
