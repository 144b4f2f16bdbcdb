// Thumbnails of the IMAGE outputs of a run's "run to here" targets, so the editor can show what the
// node produced without saving it as an output. Bounded: targets only, first batch item, ≤ 256 px.
import type { Graph } from '../../nodes/engine/graph';
import { encodeImage } from '../../nodes/runtime/image';
import type { Tensor } from '../../nodes/runtime/tensor';
import type { InspectThumbnail } from './protocol';

export const INSPECT_MAX_SIZE = 256;
const MAX_THUMBNAILS = 8;

function isImageTensor(v: unknown): v is Tensor {
  const t = v as Tensor | undefined;
  return !!t && Array.isArray(t.dims) && t.dims.length === 4 && (t.dims[1] === 3 || t.dims[1] === 4) && ArrayBuffer.isView(t.data);
}

export async function inspectThumbnails(
  graph: Graph, targets: readonly string[] | undefined, values: ReadonlyMap<string, Record<string, unknown>>,
): Promise<InspectThumbnail[]> {
  const out: InspectThumbnail[] = [];
  for (const nodeId of targets ?? []) {
    if (!graph.nodes.some((n) => n.id === nodeId)) continue;
    for (const [output, value] of Object.entries(values.get(nodeId) ?? {})) {
      if (!isImageTensor(value) || out.length >= MAX_THUMBNAILS) continue;
      const img = await encodeImage(value, { format: 'png', maxSize: INSPECT_MAX_SIZE });
      out.push({ nodeId, output, mime: 'image/png', bytes: img.bytes, width: img.width, height: img.height });
    }
  }
  return out;
}
