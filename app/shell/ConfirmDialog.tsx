'use client';
// A question with Cancel and a confirm button (replaces window.confirm), optionally with fields: Enter submits,
// Esc cancels. Built on ModalDialog.
import { useId, type ReactNode } from 'react';
import { ModalDialog } from './ModalDialog';

interface Props {
  title: string;
  message: ReactNode;
  confirmLabel: string;
  cancelLabel?: string;
  /** A destructive action: red confirm button, and focus starts on Cancel (Enter then cancels). */
  danger?: boolean;
  /** Enter or the confirm button. The owner closes the dialog by unmounting it (or keeps it, e.g. to show a field's error). */
  onConfirm(): void;
  onCancel(): void;
  /** Fields between the message and the buttons; the first one takes the focus. */
  children?: ReactNode;
}

export function ConfirmDialog({ title, message, confirmLabel, cancelLabel = 'Cancel', danger = true, onConfirm, onCancel, children }: Props) {
  const id = useId();
  // A field takes the focus when there is one (ModalDialog picks `input` before buttons otherwise).
  const focusOnButtons = !children;
  return (
    <ModalDialog title={title} onClose={onCancel} className="confirm-dialog" describedBy={`${id}-message`}>
      <form method="dialog" onSubmit={(e) => { e.preventDefault(); onConfirm(); }} noValidate>
        <div id={`${id}-message`} className="dialog-message">{message}</div>
        {children}
        <div className="dialog-actions">
          <button type="button" onClick={onCancel} data-autofocus={focusOnButtons && danger ? '' : undefined}>{cancelLabel}</button>
          <button type="submit" className={danger ? 'danger' : 'primary'} data-autofocus={focusOnButtons && !danger ? '' : undefined}>
            {confirmLabel}
          </button>
        </div>
      </form>
    </ModalDialog>
  );
}
