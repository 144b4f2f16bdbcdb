// Where copied nodes live: localStorage (so another tab can paste them) and, when allowed, the system clipboard.
import { parseFragment, serializeFragment, type GraphFragment } from './clipboard';

const KEY = 'stepflow:clipboard';

export function writeClipboard(f: GraphFragment): void {
  const text = serializeFragment(f);
  localStorage.setItem(KEY, text);
  navigator.clipboard?.writeText(text).catch(() => { /* permission denied: localStorage still has it */ });
}

export function readClipboard(): GraphFragment | null {
  return parseFragment(localStorage.getItem(KEY) ?? '');
}
