// Whether the canvas shows its minimap: one per browser (localStorage), shared by the canvas button and the "M" key.
import { useSyncExternalStore } from 'react';

const KEY = 'stepflow.minimap';
const listeners = new Set<() => void>();
/** The choice when storage is blocked: it then lasts until the page reloads. */
let fallback = true;

function read(): boolean {
  try {
    return window.localStorage.getItem(KEY) !== 'hidden';
  } catch {
    return fallback;
  }
}

export function toggleMinimap(): void {
  fallback = !read();
  try {
    if (fallback) window.localStorage.removeItem(KEY);
    else window.localStorage.setItem(KEY, 'hidden');
  } catch {
    // Blocked storage: `fallback` holds the choice.
  }
  for (const l of listeners) l();
}

function subscribe(onChange: () => void): () => void {
  listeners.add(onChange);
  return () => listeners.delete(onChange);
}

/** Shown unless the user hid it; the server render (no storage) shows it. */
export function useMinimapVisible(): boolean {
  return useSyncExternalStore(subscribe, read, () => true);
}
