// A context menu closes on Escape or on a press anywhere outside it (the canvas's, a node's, a wire's, a group's).
import { useEffect } from 'react';

/** `testId` is the menu element's data-testid: a press inside it is the menu's own. */
export function useMenuDismiss(testId: string, onClose: () => void, onOpen?: () => void): void {
  useEffect(() => {
    onOpen?.();
    const close = (e: Event) => {
      if (e instanceof KeyboardEvent && e.key !== 'Escape') return;
      if (e instanceof MouseEvent && (e.target as Element | null)?.closest?.(`[data-testid="${testId}"]`)) return;
      onClose();
    };
    window.addEventListener('mousedown', close);
    window.addEventListener('keydown', close);
    return () => { window.removeEventListener('mousedown', close); window.removeEventListener('keydown', close); };
    // onOpen runs when the menu opens (or its close handler changes), not on every render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [testId, onClose]);
}
