'use client';
// Load Image's picture: pick one of my uploads (or keep a file already named, e.g. a shipped example), upload a
// new one with the button or by dropping it here, see a thumbnail of what the node will read, and paint a mask on it
// (mask/MaskPainter.tsx; the masked copy is uploaded like any other picture).
import { useContext, useRef, useState, type DragEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { droppedFile, fileToBase64, isFileDrag } from '../../lib/workflow-file';
import { useTRPC, useTRPCClient } from '../../lib/trpc';
import { useToast } from '../../shell/toast';
import { EditorNodeContext } from '../editor-context';
import { inputImageUrl } from './input-image-url';
import { MaskPainter } from '../mask/MaskPainter';

interface Props {
  label: string;
  value: string;
  testId: string;
  invalid: boolean;
  description?: string;
  onChange(name: string): void;
}

export function InputImageWidget({ label, value, testId, invalid, description, onChange }: Props) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const notify = useToast();
  // Viewers who may not upload still see the picture; a failed list just means "no uploads to offer".
  const uploads = useQuery(trpc.inputs.list.queryOptions(undefined, { retry: false }));
  const picker = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [broken, setBroken] = useState<string | null>(null);
  const [painting, setPainting] = useState(false);
  const list = uploads.data ?? [];
  const thumbUrl = useContext(EditorNodeContext)?.inputImageUrl ?? inputImageUrl;

  const upload = async (file: File) => {
    setBusy(true);
    try {
      const up = await client.inputs.upload.mutate({ name: file.name, base64: await fileToBase64(file) });
      onChange(up.name);
      void queryClient.invalidateQueries(trpc.inputs.list.queryFilter());
      notify(`Uploaded ${up.originalName} (${up.width}×${up.height})`, 'success');
    } catch (e) {
      notify(`Upload failed: ${(e as Error).message}`, 'error');
    } finally {
      setBusy(false);
    }
  };
  // A file dropped here is this node's picture, not a workflow for the canvas to import.
  const onDragOver = (e: DragEvent) => {
    if (!isFileDrag(e.dataTransfer)) return;
    e.preventDefault();
    e.stopPropagation();
    e.dataTransfer.dropEffect = 'copy';
  };
  const onDrop = (e: DragEvent) => {
    const file = droppedFile(e.dataTransfer);
    if (!file) return;
    e.preventDefault();
    e.stopPropagation();
    void upload(file);
  };

  const known = list.some((u) => u.name === value);
  return (
    <div className={`param param-image${invalid ? ' param-invalid' : ''}`} title={description} onDragOver={onDragOver} onDrop={onDrop}>
      <span className="param-label">{label}</span>
      <span className="param-row">
        <select className="nodrag" aria-label={label} data-testid={testId} value={value} onChange={(e) => onChange(e.target.value)}>
          {!value && <option value="">choose or upload an image…</option>}
          {value && !known && <option value={value}>{value}</option>}
          {list.map((u) => <option key={u.name} value={u.name}>{u.originalName} ({u.width}×{u.height})</option>)}
        </select>
        <button type="button" className="nodrag" onClick={() => picker.current?.click()} disabled={busy} data-testid="input-upload-button">
          {busy ? 'Uploading…' : 'Upload…'}
        </button>
        <input
          ref={picker} type="file" accept="image/png,image/jpeg,image/webp" hidden data-testid="input-upload"
          onChange={(e) => { const f = e.target.files?.[0]; e.target.value = ''; if (f) void upload(f); }}
        />
      </span>
      {value && broken !== value && (
        <img
          className="input-thumb" data-testid="input-thumb" src={thumbUrl(value)} alt={`${label}: ${value}`}
          onError={() => setBroken(value)} draggable={false}
        />
      )}
      {value && broken !== value && (
        <button type="button" className="nodrag" onClick={() => setPainting(true)} disabled={busy} data-testid="paint-mask-button">Paint mask…</button>
      )}
      {painting && (
        <MaskPainter
          src={thumbUrl(value)} name={list.find((u) => u.name === value)?.originalName ?? value}
          onClose={() => setPainting(false)}
          onSave={(file) => { setPainting(false); void upload(file); }}
        />
      )}
      {value && broken === value && <span className="node-warning">no such file in the input folder: upload it again</span>}
    </div>
  );
}
