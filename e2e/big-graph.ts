// A large canvas for the render spec and the canvas benchmark: the txt2img template (the only part that runs)
// plus copies of its pipeline without a Save node, wired among themselves, laid out in a grid. The copies are no
// ancestor of an output, so a run neither validates nor executes them, yet the editor draws every one.
import { templateGraph, type GraphJson } from './api';
import { TXT2IMG_TEMPLATE } from './scenario';

/** Room one copy of the pipeline takes on the canvas (flow px): its nodes span about 1300 x 650. */
const CELL = { width: 1440, height: 760 };

/** `total` nodes (at least the template's 7): the template at the top left, then copies left to right, row by row. */
export function bigGraph(total: number, samplerParams: Record<string, unknown> = {}): GraphJson {
  const base = templateGraph(TXT2IMG_TEMPLATE, { sampler: samplerParams });
  if (total < base.nodes.length) throw new Error(`bigGraph: at least ${base.nodes.length} nodes (the template), asked ${total}`);
  const columns = Math.ceil(Math.sqrt(total / (base.nodes.length - 1)));
  const nodes = [...base.nodes];
  const edges = [...base.edges];
  const part = base.nodes.filter((n) => n.type !== 'save_image');
  for (let copy = 1; nodes.length < total; copy++) {
    const dx = (copy % columns) * CELL.width;
    const dy = Math.floor(copy / columns) * CELL.height;
    const ids = new Map<string, string>();
    for (const n of part) {
      if (nodes.length >= total) break;
      const id = `c${copy}_${n.id}`;
      ids.set(n.id, id);
      // No seed control on the copies: nothing of theirs changes when the template part runs.
      nodes.push({ id, type: n.type, typeVersion: n.typeVersion, params: { ...n.params }, position: { x: n.position.x + dx, y: n.position.y + dy } });
    }
    for (const e of base.edges) {
      const from = ids.get(e.from.node);
      const to = ids.get(e.to.node);
      if (from && to) edges.push({ from: { node: from, output: e.from.output }, to: { node: to, input: e.to.input } });
    }
  }
  return { ...base, nodes, edges };
}
