'use client';
// The dialog that asks for a whole number (replaces window.prompt): a number field checked on Enter, with the
// reason shown under it when the value does not fit.
import { useId, useState } from 'react';
import { ConfirmDialog } from './ConfirmDialog';

export interface NumberQuestion {
  title: string;
  message: string;
  label: string;
  initial: number;
  min: number;
  /** What the number means, added to the error message ("0 = before the first step"). */
  hint?: string;
  confirmLabel: string;
}

/** The whole number in `text` if it is one and at least `min`; otherwise the message to show. */
export function parseWholeNumber(text: string, min: number, hint?: string): { value: number } | { error: string } {
  const value = Number(text.trim());
  if (text.trim() !== '' && Number.isSafeInteger(value) && value >= min) return { value };
  return { error: `Give a whole number ≥ ${min}${hint ? ` (${hint})` : ''}.` };
}

export function NumberPromptDialog({ q, onAnswer, onCancel }: { q: NumberQuestion; onAnswer(value: number): void; onCancel(): void }) {
  const [text, setText] = useState(String(q.initial));
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  const submit = () => {
    const r = parseWholeNumber(text, q.min, q.hint);
    if ('error' in r) setError(r.error);
    else onAnswer(r.value);
  };
  return (
    <ConfirmDialog title={q.title} message={q.message} confirmLabel={q.confirmLabel} danger={false} onConfirm={submit} onCancel={onCancel}>
      <label className="dialog-field">
        {q.label}
        <input
          type="number" inputMode="numeric" min={q.min} step={1} value={text} aria-invalid={error !== null}
          aria-describedby={error ? `${id}-error` : undefined}
          onChange={(e) => { setText(e.target.value); setError(null); }}
        />
      </label>
      {error && <p id={`${id}-error`} className="dialog-error" role="alert">{error}</p>}
    </ConfirmDialog>
  );
}
