'use client';
// The mask painter of Load Image's picture: brush and eraser of a chosen size over the picture, Clear, and Save, which
// hands back a PNG of the picture whose alpha is 255 - mask (painted = transparent = repainted by the sampler).
import { useEffect, useRef, useState, type PointerEvent } from 'react';
import { MASK_RGB, maskedFileName, maskLayerFromAlpha, withMaskAsAlpha } from './mask-image';

interface Props {
  /** Same-origin address of the picture (canvas pixels must stay readable). */
  src: string;
  name: string;
  onSave(file: File): void;
  onClose(): void;
}

type Tool = 'brush' | 'eraser';

export function MaskPainter({ src, name, onSave, onClose }: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const layer = useRef<HTMLCanvasElement>(null);
  const [picture, setPicture] = useState<HTMLImageElement | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const [tool, setTool] = useState<Tool>('brush');
  const [size, setSize] = useState(24);
  const [saving, setSaving] = useState(false);
  const last = useRef<{ x: number; y: number } | null>(null);

  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
  }, []);

  useEffect(() => {
    const img = new Image();
    img.src = src;
    img.decode().then(() => setPicture(img), () => setFailed('the picture could not be read'));
  }, [src]);

  // The layer starts from the picture's transparency, so an existing mask is edited rather than lost.
  useEffect(() => {
    const canvas = layer.current;
    if (!picture || !canvas) return;
    canvas.width = picture.naturalWidth;
    canvas.height = picture.naturalHeight;
    const pixels = readPixels(picture);
    canvas.getContext('2d')!.putImageData(new ImageData(maskLayerFromAlpha(pixels.data), pixels.width, pixels.height), 0, 0);
  }, [picture]);

  const toCanvas = (e: PointerEvent<HTMLCanvasElement>) => {
    const c = e.currentTarget;
    const r = c.getBoundingClientRect();
    return { x: ((e.clientX - r.left) * c.width) / r.width, y: ((e.clientY - r.top) * c.height) / r.height };
  };
  const paintTo = (p: { x: number; y: number }) => {
    const ctx = layer.current?.getContext('2d');
    if (!ctx) return;
    const from = last.current ?? p;
    ctx.globalCompositeOperation = tool === 'brush' ? 'source-over' : 'destination-out';
    ctx.strokeStyle = `rgb(${MASK_RGB.join(',')})`;
    ctx.lineWidth = size;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(from.x, from.y);
    ctx.lineTo(p.x, p.y);
    ctx.stroke();
    last.current = p;
  };
  const clear = () => {
    const c = layer.current;
    c?.getContext('2d')?.clearRect(0, 0, c.width, c.height);
  };
  const save = async () => {
    const c = layer.current;
    if (!picture || !c) return;
    setSaving(true);
    const out = document.createElement('canvas');
    out.width = c.width;
    out.height = c.height;
    const pixels = readPixels(picture);
    const mask = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    out.getContext('2d')!.putImageData(new ImageData(withMaskAsAlpha(pixels.data, mask), c.width, c.height), 0, 0);
    const blob = await new Promise<Blob | null>((resolve) => out.toBlob(resolve, 'image/png'));
    setSaving(false);
    if (!blob) {
      setFailed('the masked picture could not be encoded');
      return;
    }
    onSave(new File([blob], maskedFileName(name), { type: 'image/png' }));
  };

  return (
    <dialog
      ref={dialog} className="modal-dialog mask-painter" aria-labelledby="mask-painter-title" data-testid="mask-painter"
      onCancel={(e) => { e.preventDefault(); onClose(); }}
    >
      <h2 id="mask-painter-title">Paint mask: {name}</h2>
      <p className="muted">The painted area is repainted by the sampler; the rest is kept.</p>
      <div className="mask-tools" role="toolbar" aria-label="Mask tools">
        <button type="button" aria-pressed={tool === 'brush'} onClick={() => setTool('brush')} data-testid="mask-brush">Brush</button>
        <button type="button" aria-pressed={tool === 'eraser'} onClick={() => setTool('eraser')} data-testid="mask-eraser">Eraser</button>
        <label>
          size <input type="range" min={1} max={128} value={size} onChange={(e) => setSize(Number(e.target.value))} data-testid="mask-size" />
          <span>{size} px</span>
        </label>
        <button type="button" onClick={clear} data-testid="mask-clear">Clear</button>
      </div>
      {failed && <p className="dialog-error">{failed}</p>}
      <div className="mask-stage">
        {picture && <img src={src} alt={name} draggable={false} />}
        <canvas
          ref={layer} data-testid="mask-canvas" aria-label="mask: drag to paint"
          onPointerDown={(e) => { e.currentTarget.setPointerCapture(e.pointerId); last.current = null; paintTo(toCanvas(e)); }}
          onPointerMove={(e) => { if (e.buttons & 1) paintTo(toCanvas(e)); }}
          onPointerUp={() => { last.current = null; }}
        />
      </div>
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>Cancel</button>
        <button type="button" className="primary" onClick={() => void save()} disabled={!picture || saving} data-testid="mask-save">
          {saving ? 'Saving…' : 'Save mask'}
        </button>
      </div>
    </dialog>
  );
}

/** The picture's own RGBA pixels (transparent pixels' colours are lost: canvases store premultiplied alpha). */
function readPixels(img: HTMLImageElement): ImageData {
  const c = document.createElement('canvas');
  c.width = img.naturalWidth;
  c.height = img.naturalHeight;
  const ctx = c.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(img, 0, 0);
  return ctx.getImageData(0, 0, c.width, c.height);
}
