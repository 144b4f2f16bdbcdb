'use client';
// Asking the user from anywhere in the app with in-app dialogs instead of window.confirm / window.prompt:
// `useDialogs().confirm(...)` and `.askNumber(...)` resolve with the answer; one dialog at a time, in order.
import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';
import { ConfirmDialog } from './ConfirmDialog';
import { NumberPromptDialog, type NumberQuestion } from './NumberPromptDialog';

export interface Question {
  title: string;
  message: string;
  confirmLabel: string;
  cancelLabel?: string;
  /** Red confirm button, focus on Cancel (Enter cancels). */
  danger?: boolean;
}

export interface Dialogs {
  /** True when the user confirms, false on Cancel or Esc. */
  confirm(q: Question): Promise<boolean>;
  /** The number entered, or null on Cancel or Esc. */
  askNumber(q: NumberQuestion): Promise<number | null>;
}

type Pending = { id: number } & (
  | { kind: 'confirm'; q: Question; settle(answer: boolean): void }
  | { kind: 'number'; q: NumberQuestion; settle(answer: number | null): void });

const DialogContext = createContext<Dialogs | null>(null);

export function useDialogs(): Dialogs {
  const dialogs = useContext(DialogContext);
  if (!dialogs) throw new Error('useDialogs needs a <DialogProvider> above it (app/providers.tsx)');
  return dialogs;
}

export function DialogProvider({ children }: { children: ReactNode }) {
  const [queue, setQueue] = useState<Pending[]>([]);
  const settled = useRef(new WeakSet<Pending>());
  const nextId = useRef(1);
  // Each question answers once (Esc can report both a cancel and a close), then leaves the queue.
  const answer = useCallback((p: Pending, value: boolean | number | null) => {
    if (settled.current.has(p)) return;
    settled.current.add(p);
    setQueue((q) => q.filter((x) => x !== p));
    (p.settle as (v: typeof value) => void)(value);
  }, []);
  const dialogs = useMemo<Dialogs>(() => ({
    confirm: (q) => new Promise<boolean>((settle) => {
      const id = nextId.current++;
      setQueue((list) => [...list, { id, kind: 'confirm', q, settle }]);
    }),
    askNumber: (q) => new Promise<number | null>((settle) => {
      const id = nextId.current++;
      setQueue((list) => [...list, { id, kind: 'number', q, settle }]);
    }),
  }), []);
  const current = queue[0];
  return (
    <DialogContext.Provider value={dialogs}>
      {children}
      {current?.kind === 'confirm' && (
        <ConfirmDialog
          key={current.id} title={current.q.title} message={current.q.message} confirmLabel={current.q.confirmLabel}
          cancelLabel={current.q.cancelLabel} danger={current.q.danger ?? false}
          onConfirm={() => answer(current, true)} onCancel={() => answer(current, false)}
        />
      )}
      {current?.kind === 'number' && (
        <NumberPromptDialog key={current.id} q={current.q} onAnswer={(v) => answer(current, v)} onCancel={() => answer(current, null)} />
      )}
    </DialogContext.Provider>
  );
}
