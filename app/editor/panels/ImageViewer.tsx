'use client';
// Full-size view of an output image with a download link; Esc or a click outside closes it.
import { useEffect } from 'react';

export function ImageViewer({ url, onClose }: { url: string; onClose(): void }) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <div className="image-viewer" role="dialog" aria-label="Image" onClick={onClose}>
      <img src={url} alt="output full size" data-testid="full-image" onClick={(e) => e.stopPropagation()} />
      <div className="image-viewer-bar" onClick={(e) => e.stopPropagation()}>
        <a href={url} download>Download</a>
        <a href={url} target="_blank" rel="noreferrer">Open in new tab</a>
        <button type="button" onClick={onClose}>Close</button>
      </div>
    </div>
  );
}
