// Node colours from ComfyUI's editor (UI-format) workflow: litegraph nodes carry `color` (title bar) and `bgcolor`
// (body) as CSS hex strings, often short (#322, #533: ComfyUI's presets). The API-format prompt has no colours, so
// they come from the UI workflow ComfyUI writes beside it (its PNGs' "workflow" text chunk), matched by node id.

/** `#rgb` or `#rrggbb` (any case) as the graph's `#rrggbb`; anything else (names, rgba(), alpha) is null. */
export function hexColor(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const short = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/i.exec(value);
  if (short) return `#${short[1]}${short[1]}${short[2]}${short[2]}${short[3]}${short[3]}`.toLowerCase();
  return /^#[0-9a-f]{6}$/i.test(value) ? value.toLowerCase() : null;
}

/**
 * Colour per ComfyUI node id. StepFlow's node colour is its header's (the body is a darker mix of it), which is
 * ComfyUI's `color`; a node with only `bgcolor` set gets that. Colours StepFlow cannot store are reported through
 * `warn` and left out; a `ui` that is not a UI workflow gives no colours.
 */
export function comfyUiNodeColors(ui: unknown, warn: (comfyId: string, message: string) => void): Map<string, string> {
  const colors = new Map<string, string>();
  const nodes = typeof ui === 'object' && ui !== null ? (ui as { nodes?: unknown }).nodes : undefined;
  if (!Array.isArray(nodes)) return colors;
  for (const node of nodes) {
    if (typeof node !== 'object' || node === null) continue;
    const { id, color, bgcolor } = node as { id?: unknown; color?: unknown; bgcolor?: unknown };
    if ((typeof id !== 'number' && typeof id !== 'string') || (color === undefined && bgcolor === undefined)) continue;
    const field = color !== undefined ? 'color' : 'bgcolor';
    const raw = color ?? bgcolor;
    const hex = hexColor(raw);
    if (hex) colors.set(String(id), hex);
    else warn(String(id), `its ${field} ${JSON.stringify(raw)} is not a #rgb or #rrggbb colour; the node is left uncoloured`);
  }
  return colors;
}
