'use client';
// "Import…": picks a workflow file (StepFlow PNG or .json, ComfyUI API .json) for the page to import. The hidden
// file input stands alone too, for a menu item to open (a menu closes before the file dialog returns).
import { useRef, type Ref } from 'react';

export function ImportFileInput({ ref, onFile }: { ref: Ref<HTMLInputElement>; onFile(file: File): void }) {
  return (
    <input
      ref={ref} type="file" hidden data-testid="import-file-input" aria-label="Workflow file to import"
      accept=".json,.png,application/json,image/png"
      onChange={(e) => {
        const file = e.target.files?.[0];
        e.target.value = ''; // picking the same file again must fire onChange again
        if (file) onFile(file);
      }}
    />
  );
}

export function ImportButton({ onFile, disabled }: { onFile(file: File): void; disabled?: boolean }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button type="button" onClick={() => input.current?.click()} disabled={disabled} title="Import a StepFlow PNG/JSON or a ComfyUI API-format JSON">
        Import…
      </button>
      <ImportFileInput ref={input} onFile={onFile} />
    </>
  );
}
