'use client';
// The app's one modal dialog frame: a native <dialog> shown modal (the page behind is inert, so focus stays inside),
// labelled by its title; Esc calls onClose; focus goes to `[data-autofocus]` (else the first field or button) on open
// and back to where it was on close. ConfirmDialog, NumberPromptDialog and the shortcuts overlay are built on it.
import { useEffect, useId, useRef, type ReactNode } from 'react';

interface Props {
  title: string;
  onClose(): void;
  className?: string;
  /** Id of the element that describes the dialog (its message). */
  describedBy?: string;
  children: ReactNode;
}

export function ModalDialog({ title, onClose, className, describedBy, children }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  // The latest handler for the native listener, which is attached once.
  const close = useRef(onClose);
  close.current = onClose;
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    const opener = document.activeElement as HTMLElement | null;
    if (!d.open) d.showModal();
    const first = d.querySelector<HTMLElement>('[data-autofocus]') ?? d.querySelector<HTMLElement>('input, select, textarea, button');
    first?.focus();
    if (first instanceof HTMLInputElement) first.select();
    // Chromium closes a modal dialog on a second quick Esc even when its cancel event is prevented: that closes it here too.
    const onNativeClose = () => close.current();
    d.addEventListener('close', onNativeClose);
    return () => {
      d.removeEventListener('close', onNativeClose);
      opener?.focus?.();
    };
  }, []);
  return (
    <dialog
      ref={ref} className={`modal-dialog ${className ?? ''}`} aria-modal="true" aria-labelledby={`${id}-title`} aria-describedby={describedBy}
      onCancel={(e) => { e.preventDefault(); onClose(); }}
    >
      <h2 id={`${id}-title`}>{title}</h2>
      {children}
    </dialog>
  );
}
