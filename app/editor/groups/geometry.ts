// Group frames as rectangles (pure): the frame drawn around a selection, which nodes and groups a frame holds,
// moving and resizing by whole grid steps.
//
// Membership is decided by geometry, not stored: a node belongs to every frame its centre lies in, at the moment the
// frame is moved, bypassed or collapsed. Nothing has to be kept in step when nodes are dragged in or out, pasted,
// deleted or restored by undo, and a frame drawn over nodes by resizing takes them in, as in ComfyUI. The centre (not
// the whole box) decides so that a node which grows a little (a longer prompt, an expanded node) does not silently
// leave its frame.

export interface Box { x: number; y: number; width: number; height: number }
export interface XY { x: number; y: number }

/** Space between the selection and the frame's sides. */
export const GROUP_PADDING = 20;
/** The frame's title bar sits above its nodes. */
export const GROUP_TITLE_HEIGHT = 34;
/** A frame cannot be resized smaller than its title and resize grip need. */
export const MIN_GROUP_SIZE = { width: 140, height: 80 } as const;

/** The frame around `boxes`: `padding` on every side plus the title bar above. */
export function frameAround(boxes: readonly Box[], padding = GROUP_PADDING, titleHeight = GROUP_TITLE_HEIGHT): Box {
  if (!boxes.length) throw new Error('a frame needs at least one node to go around');
  const left = Math.min(...boxes.map((b) => b.x));
  const top = Math.min(...boxes.map((b) => b.y));
  const right = Math.max(...boxes.map((b) => b.x + b.width));
  const bottom = Math.max(...boxes.map((b) => b.y + b.height));
  return {
    x: left - padding,
    y: top - padding - titleHeight,
    width: Math.max(right - left + 2 * padding, MIN_GROUP_SIZE.width),
    height: Math.max(bottom - top + 2 * padding + titleHeight, MIN_GROUP_SIZE.height),
  };
}

export function centreInside(box: Box, frame: Box): boolean {
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  return cx >= frame.x && cx <= frame.x + frame.width && cy >= frame.y && cy <= frame.y + frame.height;
}

/** A frame nested in another lies wholly inside it (and is not the same rectangle). */
export function boxInside(inner: Box, outer: Box): boolean {
  return inner.x >= outer.x && inner.y >= outer.y
    && inner.x + inner.width <= outer.x + outer.width && inner.y + inner.height <= outer.y + outer.height
    && (inner.width < outer.width || inner.height < outer.height);
}

/** Ids of the nodes whose centre lies in `frame`. */
export function nodesInFrame(frame: Box, nodes: readonly (Box & { id: string })[]): string[] {
  return nodes.filter((n) => centreInside(n, frame)).map((n) => n.id);
}

/** Ids of the other frames nested wholly inside `frame` (they move with it). */
export function groupsInFrame(frame: Box & { id: string }, groups: readonly (Box & { id: string })[]): string[] {
  return groups.filter((g) => g.id !== frame.id && boxInside(g, frame)).map((g) => g.id);
}

/** A pointer movement in flow units, in whole grid steps, so nodes snapped to the grid stay on it. */
export function gridDelta(d: XY, grid: number): XY {
  return { x: Math.round(d.x / grid) * grid, y: Math.round(d.y / grid) * grid };
}

export function moved<T extends XY>(p: T, d: XY): T {
  return { ...p, x: p.x + d.x, y: p.y + d.y };
}

/** The frame dragged by its bottom-right grip by `d`: never smaller than MIN_GROUP_SIZE. */
export function resized(frame: Box, d: XY): Box {
  return {
    ...frame,
    width: Math.max(MIN_GROUP_SIZE.width, frame.width + d.x),
    height: Math.max(MIN_GROUP_SIZE.height, frame.height + d.y),
  };
}

/** A group id not used yet ("group_3"). */
export function freshGroupId(taken: ReadonlySet<string>): string {
  for (let i = 1; ; i++) if (!taken.has(`group_${i}`)) return `group_${i}`;
}

/** The frame colours offered (dark enough that white titles read on them, distinct at a glance). */
export const GROUP_COLORS: readonly { name: string; value: string }[] = [
  { name: 'Blue', value: '#3b6ea5' },
  { name: 'Green', value: '#3f8a55' },
  { name: 'Yellow', value: '#9a7a22' },
  { name: 'Red', value: '#a04545' },
  { name: 'Purple', value: '#7150a0' },
  { name: 'Cyan', value: '#2f8590' },
  { name: 'Grey', value: '#5f6670' },
];
