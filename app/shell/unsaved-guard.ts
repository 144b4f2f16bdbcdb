// Remembers whether the open editor has unsaved changes, so in-app links and sign-out can ask first (in an in-app
// dialog); closing or reloading the tab is asked by the browser's own beforeunload prompt (EditorWorkspace.tsx).
import type { Dialogs } from './dialogs';

let unsaved = false;

export function setUnsavedChanges(value: boolean): void {
  unsaved = value;
}

export function hasUnsavedChanges(): boolean {
  return unsaved;
}

/** True when navigation may go ahead (nothing unsaved, or the user accepts losing it). */
export async function confirmLeave(dialogs: Pick<Dialogs, 'confirm'>): Promise<boolean> {
  if (!unsaved) return true;
  return dialogs.confirm({
    title: 'Unsaved changes',
    message: 'You have unsaved changes. Leave without saving?',
    confirmLabel: 'Leave without saving',
    cancelLabel: 'Cancel',
  });
}
