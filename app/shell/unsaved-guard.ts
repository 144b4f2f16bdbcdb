// Remembers whether the open editor has unsaved changes, so in-app links and tab closes can ask first.
let unsaved = false;

export function setUnsavedChanges(value: boolean): void {
  unsaved = value;
}

export function hasUnsavedChanges(): boolean {
  return unsaved;
}

/** True when navigation may go ahead (nothing unsaved, or the user accepts losing it). */
export function confirmLeave(): boolean {
  return !unsaved || window.confirm('You have unsaved changes. Leave without saving?');
}
