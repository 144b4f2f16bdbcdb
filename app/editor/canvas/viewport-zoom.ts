// Zoom levels the canvas keeps readable at, and where a workflow opens (pure: no React, no React Flow).
// Node text is 12 px (`.graph-node` in app/globals.css) and sockets are 10 px dots; what a zoom draws them at decides.

/**
 * A workflow opens at no smaller zoom than this: 12 px node text draws at 9 px, the smallest text the editor uses
 * anywhere at 1× (the socket-type labels). Fit to the window drew the shipped templates at 0.51× (6 px text) and
 * 0.35× (4 px text, 3.5 px sockets).
 */
export const LEGIBLE_ZOOM = 0.75;

/**
 * Below this zoom nodes draw their simplified view (large title, sockets, preview): 12 px text would be under 6 px
 * and 10 px handles under 5 px, widgets nobody can read or hit.
 */
export const SIMPLE_VIEW_ZOOM = 0.5;

export interface Rect { x: number; y: number; width: number; height: number }
export interface Viewport { x: number; y: number; zoom: number }

/** Screen margin around the graph when it opens (px). */
const MARGIN = 40;

/**
 * The opening view of a graph whose nodes span `bounds` (flow coordinates) in a canvas of `size` (screen px): the
 * whole graph when it fits at a legible zoom (centred, at most 1×); otherwise LEGIBLE_ZOOM with the graph's start
 * in view: along an axis where it does not fit, its left (top) edge at the margin, where pipelines begin.
 */
export function openingViewport(bounds: Rect, size: { width: number; height: number }): Viewport {
  const room = { width: Math.max(1, size.width - 2 * MARGIN), height: Math.max(1, size.height - 2 * MARGIN) };
  const fit = Math.min(room.width / Math.max(1, bounds.width), room.height / Math.max(1, bounds.height));
  const zoom = Math.min(1, Math.max(LEGIBLE_ZOOM, fit));
  const place = (start: number, length: number, screen: number) => {
    const drawn = length * zoom;
    return drawn <= screen - 2 * MARGIN ? (screen - drawn) / 2 - start * zoom : MARGIN - start * zoom;
  };
  return { x: place(bounds.x, bounds.width, size.width), y: place(bounds.y, bounds.height, size.height), zoom };
}
