// The image-size limit: how large an IMAGE or LATENT a node may make (MAX_IMAGE_PIXELS on the server), checked
// statically by propagating sizes along the graph (nodes' `outputSize`) and at run time before allocating.
import type { CatalogNode } from './catalog';
import { NodeInputError } from './errors';
import type { Graph } from './graph';
import { paramSchema } from './params';
import type { GraphProblem } from './validate';

/** 4096 x 4096: the CLI's and tests' default; the server passes MAX_IMAGE_PIXELS. */
export const DEFAULT_MAX_IMAGE_PIXELS = 4096 * 4096;

/**
 * The size of a node's IMAGE or LATENT output in image pixels (a latent counts as the image it decodes to:
 * 8 pixels per cell). `param` names the param that sets it, for the refusal's message.
 */
export interface ImageSize {
  width: number;
  height: number;
  batch: number;
  param?: string;
}

/** A node's output size from its params and its IMAGE/LATENT inputs' sizes; undefined = not known before running. */
export type OutputSizeFn = (params: Record<string, unknown>, inputs: Record<string, ImageSize | undefined>) => ImageSize | undefined;

export function pixelsOf(s: ImageSize): number {
  return s.width * s.height * s.batch;
}

/** "would output 8192x8192 (67,108,864 pixels), above MAX_IMAGE_PIXELS (16,777,216); lower scale" */
export function tooLargeMessage(s: ImageSize, maxPixels: number): string {
  const n = (v: number) => v.toLocaleString('en');
  const batch = s.batch > 1 ? ` x ${s.batch} images` : '';
  const fix = s.param ? `; lower ${s.param}` : '';
  return `would output ${s.width}x${s.height}${batch} (${n(pixelsOf(s))} pixels), above MAX_IMAGE_PIXELS (${n(maxPixels)})${fix}`;
}

/** Thrown by a node before it allocates an output larger than the limit. */
export function ensureImageSize(s: ImageSize, maxPixels: number): void {
  if (pixelsOf(s) > maxPixels) throw new NodeInputError('image_too_large', tooLargeMessage(s, maxPixels), s.param);
}

/** Resize's and Upscale's arithmetic: a factor applied to both sides, never below one pixel. */
export function scaled(s: ImageSize, factor: number, param: string): ImageSize {
  return { width: Math.max(1, Math.round(s.width * factor)), height: Math.max(1, Math.round(s.height * factor)), batch: s.batch, param };
}

/**
 * A resize's target (Resize Image, Latent Upscale): width and height as given; one of them 0 keeps the aspect ratio;
 * both 0 = the scale factor. Derived sides are rounded to whole `unit`s (8: a latent's cells), at least one.
 */
export function resizedSize(input: ImageSize, p: { width: number; height: number; scale: number }, unit = 1): ImageSize {
  const round = (x: number) => Math.max(1, Math.round(x / unit)) * unit;
  const { width: w, height: h, batch } = input;
  if (!p.width && !p.height) return { width: round(w * p.scale), height: round(h * p.scale), batch, param: 'scale' };
  if (!p.height) return { width: p.width, height: round((h * p.width) / w), batch, param: 'width' };
  if (!p.width) return { width: round((w * p.height) / h), height: p.height, batch, param: 'height' };
  return { width: p.width, height: p.height, batch, param: p.width >= p.height ? 'width' : 'height' };
}

export interface ImageSizeOptions {
  maxPixels: number;
  /** The node type's `outputSize` (node definitions are not in the serialisable catalog). */
  outputSize(type: string): OutputSizeFn | undefined;
}

const SIZED = new Set(['IMAGE', 'LATENT']);

/**
 * Sizes known before running, propagated in topological order from sources whose params fix them
 * (Solid Colour, Empty Latent) through nodes that scale them. Unknown stays unknown (Load Image, a model's
 * factor): the run-time check covers those. A node found too large is reported and stops propagation, so its
 * descendants are not reported again for the same cause.
 */
export function imageSizeProblems(
  graph: Graph, order: readonly string[], catalog: ReadonlyMap<string, CatalogNode>, opts: ImageSizeOptions,
): GraphProblem[] {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const incoming = new Map<string, Graph['edges']>();
  for (const e of graph.edges) {
    const list = incoming.get(e.to.node);
    if (list) list.push(e);
    else incoming.set(e.to.node, [e]);
  }
  const sizes = new Map<string, ImageSize>();
  const problems: GraphProblem[] = [];
  for (const id of order) {
    const node = byId.get(id)!;
    const def = catalog.get(node.type);
    const fn = opts.outputSize(node.type);
    if (!def || !fn) continue;
    const params = resolvedParams(node, def);
    if (!params) continue;
    const inputs: Record<string, ImageSize | undefined> = {};
    for (const e of incoming.get(id) ?? []) {
      const type = def.inputs.find((i) => i.name === e.to.input)?.type;
      if (type && SIZED.has(type)) inputs[e.to.input] = sizes.get(e.from.node);
    }
    const size = fn(params, inputs);
    if (!size) continue;
    if (pixelsOf(size) > opts.maxPixels) {
      problems.push({
        code: 'image_too_large', nodeId: id, ...(size.param ? { param: size.param } : {}),
        message: `node "${id}" (${def.title}) ${tooLargeMessage(size, opts.maxPixels)}`,
      });
      continue;
    }
    sizes.set(id, size);
  }
  return problems;
}

/** Params with defaults, parsed; undefined when one is invalid (reported as param_invalid already). */
function resolvedParams(node: Graph['nodes'][number], def: CatalogNode): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const p of def.params) {
    const r = paramSchema(p.ui).safeParse(node.params[p.name] ?? p.default);
    if (!r.success) return undefined;
    out[p.name] = r.data;
  }
  return out;
}
