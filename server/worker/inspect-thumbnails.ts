// Thumbnails of what a run's "run to here" targets produced, so the editor can show a node's output without
// saving it: IMAGE outputs as they are, LATENT outputs through the latent→RGB projection of the model that
// made them (the same picture a sampler step preview shows). Bounded: targets only, first batch item, ≤ 256 px.
// A subgraph node's thumbnails are its output sockets' values, under its own id and socket names.
import type { Graph } from '../../nodes/engine/graph';
import { flattenSubgraphs } from '../../nodes/engine/subgraph';
import { latentToRgb, SD15_LATENT_RGB, type LatentRgb } from '../../nodes/models/latent-rgb';
import { encodeImage } from '../../nodes/runtime/image';
import type { Tensor } from '../../nodes/runtime/tensor';
import type { InspectThumbnail } from './protocol';

export const INSPECT_MAX_SIZE = 256;
const MAX_THUMBNAILS = 8;

function isTensor(v: unknown): v is Tensor {
  const t = v as Tensor | undefined;
  return !!t && Array.isArray(t.dims) && ArrayBuffer.isView(t.data);
}

function isImageTensor(v: unknown): v is Tensor {
  return isTensor(v) && v.dims.length === 4 && (v.dims[1] === 3 || v.dims[1] === 4);
}

function latentSamples(v: unknown): Tensor | null {
  const s = (v as { samples?: unknown } | undefined)?.samples;
  return isTensor(s) && s.dims.length === 4 ? s : null;
}

function latentRgbOf(v: unknown): LatentRgb | null {
  const rgb = (v as { latentRgb?: LatentRgb } | undefined)?.latentRgb;
  return rgb && Array.isArray(rgb.factors) && Array.isArray(rgb.bias) ? rgb : null;
}

/**
 * The projection for a latent made by `nodeId`: the nearest upstream value that carries one (the MODEL the
 * sampler used; an Empty Latent feeding nothing has none). SD1.5's factors for 4-channel latents otherwise.
 */
function projectionFor(
  graph: Graph, nodeId: string, channels: number, values: ReadonlyMap<string, Record<string, unknown>>,
): LatentRgb | null {
  const seen = new Set([nodeId]);
  let frontier = [nodeId];
  while (frontier.length) {
    const next: string[] = [];
    for (const id of frontier) {
      for (const e of graph.edges) {
        if (e.to.node !== id || seen.has(e.from.node)) continue;
        seen.add(e.from.node);
        next.push(e.from.node);
        const rgb = latentRgbOf(values.get(e.from.node)?.[e.from.output]);
        if (rgb && rgb.factors.length === channels) return rgb;
      }
    }
    frontier = next;
  }
  return channels === SD15_LATENT_RGB.factors.length ? SD15_LATENT_RGB : null;
}

export async function inspectThumbnails(
  graph: Graph, targets: readonly string[] | undefined, values: ReadonlyMap<string, Record<string, unknown>>,
): Promise<InspectThumbnail[]> {
  const out: InspectThumbnail[] = [];
  const flat = flattenSubgraphs(graph);
  for (const nodeId of targets ?? []) {
    // [socket shown, the flat node that made it, its output there]
    const shown: [string, string, string][] = flat.graph.nodes.some((n) => n.id === nodeId)
      ? Object.keys(values.get(nodeId) ?? {}).map((o) => [o, nodeId, o])
      : (flat.expanded.get(nodeId)?.outputs ?? []).map((o) => [o.name, o.from.node, o.from.output]);
    for (const [output, madeBy, made] of shown) {
      if (out.length >= MAX_THUMBNAILS) break;
      const value = values.get(madeBy)?.[made];
      let image: Tensor | null = isImageTensor(value) ? value : null;
      const latent = image ? null : latentSamples(value);
      if (latent) {
        const rgb = projectionFor(flat.graph, madeBy, latent.dims[1], values);
        // One latent cell per 8 pixels, as the decoder would make it (nearest: cells stay crisp).
        if (rgb) image = latentToRgb(latent, rgb, { scale: Math.max(1, Math.min(8, Math.floor(INSPECT_MAX_SIZE / Math.max(latent.dims[2], latent.dims[3])))) });
      }
      if (!image) continue;
      const img = await encodeImage(image, { format: 'png', maxSize: INSPECT_MAX_SIZE });
      out.push({ nodeId, output, mime: 'image/png', bytes: img.bytes, width: img.width, height: img.height });
    }
  }
  return out;
}
