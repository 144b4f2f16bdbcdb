'use client';
// Editor keyboard shortcuts, matched against the table in shortcuts.ts. Save and Run work everywhere; the rest
// is left to the browser while a text field has focus (so Ctrl+Z undoes typing, "?" types a question mark).
import { useEffect, useRef } from 'react';
import { shortcutAction, type ShortcutAction } from './shortcuts';

export type ShortcutHandlers = Record<ShortcutAction, () => void>;

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
      // An open dialog owns the keyboard (Enter confirms it, Esc cancels it).
      if ((e.target as Element | null)?.closest?.('dialog, [role="dialog"]')) return;
      const action = shortcutAction(e, inTextField(e.target));
      if (!action) return;
      e.preventDefault();
      ref.current[action]();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
