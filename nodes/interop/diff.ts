// Differences between two versions of a graph (nodes, edges, params, titles/bypass/seed controls/collapse, positions) and their
// one-line-per-change description for version history and review.
import type { Graph, GraphEdge } from '../engine/graph';

export interface NodeRef {
  id: string;
  type: string;
}

export interface ParamChange {
  nodeId: string;
  param: string;
  /** undefined: the param was not set on that side (the node's default applies). */
  from: unknown;
  to: unknown;
}

/** A node's own settings besides params: its title, bypass, seed controls, collapse. */
export interface SettingChange {
  nodeId: string;
  setting: 'title' | 'mode' | 'controls' | 'collapsed' | 'color' | 'pinned';
  from: unknown;
  to: unknown;
}

export interface GraphDiff {
  nodesAdded: NodeRef[];
  nodesRemoved: NodeRef[];
  edgesAdded: GraphEdge[];
  edgesRemoved: GraphEdge[];
  paramsChanged: ParamChange[];
  settingsChanged: SettingChange[];
  /** Ids of nodes present on both sides whose position changed. */
  moved: string[];
}

type DiffGraph = Pick<Graph, 'nodes' | 'edges'>;

function edgeKey(e: GraphEdge): string {
  return `${e.from.node}\0${e.from.output}\0${e.to.node}\0${e.to.input}`;
}

/** JSON with sorted object keys, so {a,b} and {b,a} compare equal. */
function canonical(v: unknown): string {
  if (v === undefined) return 'undefined';
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : x,
  );
}

/**
 * What changed from `a` to `b`. Nodes are matched by id; a node whose type changed counts as removed
 * and added. Lists keep the order of the graph they come from.
 */
export function diffGraphs(a: DiffGraph, b: DiffGraph): GraphDiff {
  const before = new Map(a.nodes.map((n) => [n.id, n]));
  const after = new Map(b.nodes.map((n) => [n.id, n]));
  const same = (id: string) => before.get(id)?.type === after.get(id)?.type;

  const nodesRemoved = a.nodes.filter((n) => !after.has(n.id) || !same(n.id)).map((n) => ({ id: n.id, type: n.type }));
  const nodesAdded = b.nodes.filter((n) => !before.has(n.id) || !same(n.id)).map((n) => ({ id: n.id, type: n.type }));

  const paramsChanged: ParamChange[] = [];
  const settingsChanged: SettingChange[] = [];
  const moved: string[] = [];
  for (const nb of b.nodes) {
    const na = before.get(nb.id);
    if (!na || na.type !== nb.type) continue;
    const names = [...new Set([...Object.keys(na.params ?? {}), ...Object.keys(nb.params ?? {})])];
    for (const param of names) {
      const from = na.params?.[param];
      const to = nb.params?.[param];
      if (canonical(from) !== canonical(to)) paramsChanged.push({ nodeId: nb.id, param, from, to });
    }
    for (const setting of ['title', 'mode', 'controls', 'collapsed', 'color', 'pinned'] as const) {
      // An absent flag and `false` both mean expanded (unpinned).
      if (setting === 'collapsed' || setting === 'pinned' ? !na[setting] !== !nb[setting] : canonical(na[setting]) !== canonical(nb[setting])) settingsChanged.push({ nodeId: nb.id, setting, from: na[setting], to: nb[setting] });
    }
    const pa = na.position;
    const pb = nb.position;
    if (pa?.x !== pb?.x || pa?.y !== pb?.y) moved.push(nb.id);
  }

  const edgesA = new Set(a.edges.map(edgeKey));
  const edgesB = new Set(b.edges.map(edgeKey));
  return {
    nodesAdded,
    nodesRemoved,
    edgesAdded: b.edges.filter((e) => !edgesA.has(edgeKey(e))),
    edgesRemoved: a.edges.filter((e) => !edgesB.has(edgeKey(e))),
    paramsChanged,
    settingsChanged,
    moved,
  };
}

export function isEmptyDiff(d: GraphDiff): boolean {
  return !d.nodesAdded.length && !d.nodesRemoved.length && !d.edgesAdded.length && !d.edgesRemoved.length
    && !d.paramsChanged.length && !d.settingsChanged.length && !d.moved.length;
}

function formatValue(v: unknown): string {
  if (v === undefined) return '(default)';
  return JSON.stringify(v);
}

function formatEdge(e: GraphEdge): string {
  return `${e.from.node}.${e.from.output} → ${e.to.node}.${e.to.input}`;
}

/**
 * Human lines, removals before additions:
 * `- node lora (lora_loader)`, `+ edge checkpoint.model → sampler.model`,
 * `positive.text: "red circle" → "blue square"`, `lora: bypassed`, `sampler title: (default) → "Main"`, `moved: decode, save`.
 */
export function describeDiff(d: GraphDiff): string[] {
  return [
    ...d.nodesRemoved.map((n) => `- node ${n.id} (${n.type})`),
    ...d.nodesAdded.map((n) => `+ node ${n.id} (${n.type})`),
    ...d.edgesRemoved.map((e) => `- edge ${formatEdge(e)}`),
    ...d.edgesAdded.map((e) => `+ edge ${formatEdge(e)}`),
    ...d.paramsChanged.map((c) => `${c.nodeId}.${c.param}: ${formatValue(c.from)} → ${formatValue(c.to)}`),
    ...d.settingsChanged.map((c) => (c.setting === 'mode'
      ? `${c.nodeId}: ${c.to === 'bypass' ? 'bypassed' : 'no longer bypassed'}`
      : c.setting === 'collapsed' || c.setting === 'pinned'
        ? `${c.nodeId}: ${c.to ? c.setting : c.setting === 'collapsed' ? 'expanded' : 'unpinned'}`
        : `${c.nodeId} ${c.setting}: ${formatValue(c.from)} → ${formatValue(c.to)}`)),
    ...(d.moved.length ? [`moved: ${d.moved.join(', ')}`] : []),
  ];
}
