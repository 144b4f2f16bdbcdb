'use client';
// A click or right-click on a node's body where a wire crosses it (drawn above nodes by WireEdge.tsx; its hit stroke
// stays below them) goes to the wire: React Flow selects it, or opens its menu, instead of the node. A drag from there
// still moves the node (React Flow swallows the click that ends a drag), and the node's controls, sockets and socket
// rows are never taken over.
import { useEffect, type RefObject } from 'react';

const NODE_CONTROLS = 'input, select, textarea, button, a, [contenteditable], .react-flow__handle, .socket, .nodrag';

/** The hit stroke of the topmost wire under a press on a node's body, or null. */
export function wireUnderNodePress(e: MouseEvent, canvas: Element): Element | null {
  const t = e.target as Element | null;
  if (!t?.closest?.('.react-flow__node') || t.closest(NODE_CONTROLS)) return null;
  return document.elementsFromPoint(e.clientX, e.clientY)
    .find((el) => el.classList.contains('react-flow__edge-interaction') && canvas.contains(el)) ?? null;
}

export function useWireUnderNode(canvas: RefObject<HTMLElement | null>): void {
  useEffect(() => {
    const el = canvas.current;
    if (!el) return;
    const resend = (e: MouseEvent) => {
      const wire = e.isTrusted ? wireUnderNodePress(e, el) : null;
      if (!wire) return;
      e.stopPropagation();
      e.preventDefault();
      wire.dispatchEvent(new MouseEvent(e.type, {
        bubbles: true, cancelable: true, view: window, button: e.button, buttons: e.buttons,
        clientX: e.clientX, clientY: e.clientY, screenX: e.screenX, screenY: e.screenY,
        altKey: e.altKey, ctrlKey: e.ctrlKey, metaKey: e.metaKey, shiftKey: e.shiftKey,
      }));
    };
    el.addEventListener('click', resend, true);
    el.addEventListener('contextmenu', resend, true);
    return () => {
      el.removeEventListener('click', resend, true);
      el.removeEventListener('contextmenu', resend, true);
    };
  }, [canvas]);
}
