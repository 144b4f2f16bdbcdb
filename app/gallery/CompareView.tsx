'use client';
// Two gallery images side by side at the same size, their facts in one table with the rows that differ marked.
import { useEffect } from 'react';
import { imageFacts, type GalleryImage } from './image-facts';

export function CompareView({ images, onClose }: { images: [GalleryImage, GalleryImage]; onClose(): void }) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  const [a, b] = images.map(imageFacts);
  return (
    <div className="gallery-viewer" role="dialog" aria-label="Compare images" onClick={onClose}>
      <div className="gallery-compare" onClick={(e) => e.stopPropagation()}>
        <div className="gallery-compare-images">
          {images.map((img) => <img key={img.artifactId} src={img.url} alt={img.params.prompt ?? 'output'} data-testid="compare-image" />)}
        </div>
        <table className="gallery-compare-facts" data-testid="compare-facts">
          <tbody>
            {a.map((f, i) => (
              <tr key={f.label} className={f.value !== b[i].value ? 'differs' : ''}>
                <th>{f.label}</th><td>{f.value}</td><td>{b[i].value}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <button type="button" onClick={onClose}>Close</button>
      </div>
    </div>
  );
}
