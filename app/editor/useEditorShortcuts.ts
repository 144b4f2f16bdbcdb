'use client';
// Editor keyboard shortcuts. Save and Run work everywhere; graph edits are left to the browser
// while a text field has focus (so Ctrl+Z undoes typing, Ctrl+C copies text).
import { useEffect, useRef } from 'react';

export interface ShortcutHandlers {
  save(): void;
  run(): void;
  undo(): void;
  redo(): void;
  copy(): void;
  paste(): void;
  duplicate(): void;
  selectAll(): void;
  /** Ctrl+B: bypass the selected nodes (or turn it off). */
  bypass(): void;
}

function inTextField(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el?.tagName) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
}

export function useEditorShortcuts(handlers: ShortcutHandlers) {
  const ref = useRef(handlers);
  ref.current = handlers;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
      const h = ref.current;
      const key = e.key.toLowerCase();
      const act = (fn: () => void) => { e.preventDefault(); fn(); };
      if (key === 's') return act(h.save);
      if (key === 'enter') return act(h.run);
      if (inTextField(e.target)) return;
      if (key === 'z' && e.shiftKey) return act(h.redo);
      if (key === 'z') return act(h.undo);
      if (key === 'y') return act(h.redo);
      if (key === 'c') return act(h.copy);
      if (key === 'v') return act(h.paste);
      if (key === 'd') return act(h.duplicate);
      if (key === 'a') return act(h.selectAll);
      if (key === 'b') return act(h.bypass);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
