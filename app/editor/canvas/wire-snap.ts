// Where a released wire should plug in when React Flow found no valid handle: the socket row under the pointer, a
// collapsed node's first fitting socket, or the nearest fitting socket within a radius. DOM-based (handles' boxes).

export interface SocketRef {
  nodeId: string;
  handleId: string;
}

/** Screen px around a socket within which a released wire snaps to it (React Flow's own radius, checked for fit here). */
export const SNAP_RADIUS = 28;

function refOf(el: Element): SocketRef | null {
  const nodeId = el.getAttribute('data-nodeid');
  const handleId = el.getAttribute('data-handleid');
  return nodeId && handleId ? { nodeId, handleId } : null;
}

/**
 * The socket of kind `want` ('target' = input) the wire released at `p` (client coordinates) should connect to, or null.
 * `fits` says whether a socket can take this wire (type, cycle).
 */
export function snapSocket(
  root: ParentNode & { ownerDocument?: Document | null }, p: { x: number; y: number }, want: 'source' | 'target',
  fits: (s: SocketRef) => boolean,
): SocketRef | null {
  const doc = root.ownerDocument ?? document;
  const fitting = (els: Iterable<Element>) => {
    for (const el of els) {
      const ref = refOf(el);
      if (ref && fits(ref)) return ref;
    }
    return null;
  };
  for (const el of doc.elementsFromPoint(p.x, p.y)) {
    // The whole socket row is the target, not only its dot.
    const row = el.closest('.socket');
    if (row) return fitting(row.querySelectorAll(`.react-flow__handle.${want}`));
    // A collapsed node: its sockets are stacked on the title bar; the first that fits takes the wire.
    const collapsed = el.closest('.graph-node.collapsed');
    if (collapsed) return fitting(collapsed.querySelectorAll(`.react-flow__handle.${want}`));
  }
  let best: { ref: SocketRef; d: number } | null = null;
  for (const el of root.querySelectorAll(`.react-flow__handle.${want}`)) {
    const box = el.getBoundingClientRect();
    const d = Math.hypot(box.x + box.width / 2 - p.x, box.y + box.height / 2 - p.y);
    const ref = refOf(el);
    if (d <= SNAP_RADIUS && ref && (!best || d < best.d) && fits(ref)) best = { ref, d };
  }
  return best?.ref ?? null;
}
