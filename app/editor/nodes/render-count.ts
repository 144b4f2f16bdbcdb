// Opt-in render counting for specs and benches: a page that set `window.__stepflowRenders = {}` before the editor
// loaded gets every canvas node's renders counted by node id (production builds too; one property read otherwise).
export const RENDER_COUNTER = '__stepflowRenders';

export function countRender(nodeId: string): void {
  const counts = (globalThis as Record<string, unknown>)[RENDER_COUNTER] as Record<string, number> | undefined;
  if (counts) counts[nodeId] = (counts[nodeId] ?? 0) + 1;
}
