// What a gallery card says about an image: the seed, prompts and key sampler settings of the graph that made it,
// read from the run's stored graph (the exact graph that ran, seeds applied) as the engine runs it — bypassed nodes,
// reroutes and primitives (their values written into the params they feed) resolved away. Found by walking up from
// the node that saved the image, so a base + refiner graph reports the refiner, the sampler nearest to the picture.
import { resolveBypass } from '../../nodes/engine/bypass';
import type { CatalogNode } from '../../nodes/engine/catalog';
import type { Graph, GraphNode } from '../../nodes/engine/graph';
import { resolveReroutes } from '../../nodes/engine/reroute';
import { resolveParamInputs } from '../../nodes/engine/param-inputs';
import { flattenSubgraphs } from '../../nodes/engine/subgraph';

export interface ImageParams {
  prompt: string | null;
  negative: string | null;
  seed: number | null;
  steps: number | null;
  cfg: number | null;
  sampler: string | null;
  scheduler: string | null;
  denoise: number | null;
  checkpoint: string | null;
  loras: { name: string; strength: number }[];
}

/** The sampling nodes' types (sampler: a whole loop; refiner: the tail of one). */
const SAMPLING_TYPES = new Set(['sampler', 'refiner']);

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown) => (typeof v === 'string' ? v : null);

export function imageParams(stored: Graph, imageNodeId: string, catalog: ReadonlyMap<string, CatalogNode>): ImageParams {
  const flat = flattenSubgraphs(stored);
  const graph = resolveParamInputs(resolveReroutes(resolveBypass(flat.graph, catalog, flat.bypassed).graph).graph, catalog).graph;
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const inputsOf = new Map<string, { input: string; from: string }[]>();
  for (const e of graph.edges) {
    const list = inputsOf.get(e.to.node) ?? [];
    list.push({ input: e.to.input, from: e.from.node });
    inputsOf.set(e.to.node, list);
  }
  // Breadth-first up from the image: nearest nodes first.
  const upstream: GraphNode[] = [];
  const seen = new Set([imageNodeId]);
  for (let queue = [imageNodeId]; queue.length > 0;) {
    const next: string[] = [];
    for (const id of queue) {
      for (const { from } of inputsOf.get(id) ?? []) {
        if (seen.has(from)) continue;
        seen.add(from);
        const node = byId.get(from);
        if (node) upstream.push(node);
        next.push(from);
      }
    }
    queue = next;
  }
  const sampling = upstream.find((n) => SAMPLING_TYPES.has(n.type));
  const p = sampling?.params ?? {};
  const promptInto = (input: string): string | null => {
    const from = sampling && inputsOf.get(sampling.id)?.find((i) => i.input === input)?.from;
    const text = from === undefined ? undefined : byId.get(from)?.params.text;
    return typeof text === 'string' ? text : null;
  };
  return {
    prompt: promptInto('positive'),
    negative: promptInto('negative'),
    seed: num(p.seed),
    steps: num(p.steps),
    cfg: num(p.cfg),
    sampler: str(p.sampler),
    scheduler: str(p.scheduler),
    denoise: num(p.denoise),
    checkpoint: str(upstream.find((n) => typeof n.params.ckpt_name === 'string')?.params.ckpt_name),
    loras: upstream
      .filter((n) => n.type === 'lora_loader' && typeof n.params.lora_name === 'string')
      .map((n) => ({ name: n.params.lora_name as string, strength: num(n.params.strength_model) ?? 1 })),
  };
}
