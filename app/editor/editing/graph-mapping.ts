// Converts between the engine's graph JSON and React Flow's nodes/edges (the editor's working state).
// Pure: no React, no catalog. Round-trips graph -> flow -> graph without changing a value.
import type { Edge, Node, XYPosition } from '@xyflow/react';
import { GRAPH_FORMAT_VERSION, type Graph, type GraphEdge, type GraphGroup, type GraphNode, type SeedControl } from '../../../nodes/engine/graph';

export type { SeedControl };

export interface FlowNodeData extends Record<string, unknown> {
  type: string;
  typeVersion: number;
  params: Record<string, unknown>;
  title?: string;
  controls?: Record<string, SeedControl>;
  /** 'bypass': the node does not run; its inputs pass through (nodes/engine/bypass.ts). */
  mode?: 'bypass';
  /** Drawn as its title bar only (sockets still connectable). */
  collapsed?: true;
  /** Params drawn as input handles, fed by a primitive's wire (nodes/engine/param-inputs.ts). */
  paramInputs?: string[];
  /** Header and body tint, #rrggbb (NodeContextMenu's palette). */
  color?: string;
  /** Not draggable (React Flow's node.draggable follows it: graphNodeToFlow, useNodeStyle.ts). */
  pinned?: true;
  /** On a subgraph node: the key of its definition (nodes/engine/subgraph.ts). */
  subgraph?: string;
}

export const FLOW_NODE_TYPE = 'graphNode';
export type FlowNode = Node<FlowNodeData, typeof FLOW_NODE_TYPE>;
export type FlowEdge = Edge;
/** A group frame on the canvas (app/editor/groups/): the saved group plus whether it is selected (not saved). */
export interface FlowGroup extends GraphGroup { selected?: boolean }

/** Horizontal/vertical spacing used when a graph node carries no position. */
const AUTO_LAYOUT = { column: 320, row: 220 };

export function edgeId(e: GraphEdge): string {
  return `${e.from.node}:${e.from.output}->${e.to.node}:${e.to.input}`;
}

export function graphEdgeToFlow(e: GraphEdge): FlowEdge {
  return {
    id: edgeId(e),
    source: e.from.node,
    sourceHandle: e.from.output,
    target: e.to.node,
    targetHandle: e.to.input,
  };
}

export function flowEdgeToGraph(e: Pick<FlowEdge, 'source' | 'sourceHandle' | 'target' | 'targetHandle'>): GraphEdge {
  return {
    from: { node: e.source, output: e.sourceHandle ?? '' },
    to: { node: e.target, input: e.targetHandle ?? '' },
  };
}

export function graphNodeToFlow(n: GraphNode, fallback: XYPosition): FlowNode {
  const data: FlowNodeData = { type: n.type, typeVersion: n.typeVersion, params: { ...n.params } };
  if (n.title !== undefined) data.title = n.title;
  if (n.controls !== undefined) data.controls = { ...n.controls };
  if (n.mode !== undefined) data.mode = n.mode;
  if (n.collapsed) data.collapsed = true;
  if (n.paramInputs?.length) data.paramInputs = [...n.paramInputs];
  if (n.color !== undefined) data.color = n.color;
  if (n.pinned) data.pinned = true;
  if (n.subgraph !== undefined) data.subgraph = n.subgraph;
  const node: FlowNode = { id: n.id, type: FLOW_NODE_TYPE, position: n.position ? { ...n.position } : fallback, data };
  if (n.pinned) node.draggable = false;
  return node;
}

export function flowNodeToGraph(n: Pick<FlowNode, 'id' | 'position' | 'data'>): GraphNode {
  const out: GraphNode = {
    id: n.id,
    type: n.data.type,
    typeVersion: n.data.typeVersion,
    params: { ...n.data.params },
    position: { x: n.position.x, y: n.position.y },
  };
  if (n.data.title !== undefined) out.title = n.data.title;
  if (n.data.controls !== undefined && Object.keys(n.data.controls).length > 0) out.controls = { ...n.data.controls };
  if (n.data.mode !== undefined) out.mode = n.data.mode;
  if (n.data.collapsed) out.collapsed = true;
  if (n.data.paramInputs?.length) out.paramInputs = [...n.data.paramInputs];
  if (n.data.color !== undefined) out.color = n.data.color;
  if (n.data.pinned) out.pinned = true;
  if (n.data.subgraph !== undefined) out.subgraph = n.data.subgraph;
  return out;
}

const copyGroup = (g: GraphGroup): GraphGroup => ({ id: g.id, title: g.title, color: g.color, bounds: { ...g.bounds } });

export function graphToFlow(graph: Pick<Graph, 'nodes' | 'edges' | 'groups'>): { nodes: FlowNode[]; edges: FlowEdge[]; groups: FlowGroup[] } {
  const fallback = autoLayout(graph);
  return {
    nodes: graph.nodes.map((n) => graphNodeToFlow(n, fallback.get(n.id) ?? { x: 0, y: 0 })),
    edges: graph.edges.map(graphEdgeToFlow),
    groups: (graph.groups ?? []).map(copyGroup),
  };
}

/**
 * Always the current format; `groups` only when there are some (absent = none), as `controls` on a node;
 * `subgraphs` only those the nodes use (the editor keeps unused ones so undo can bring their nodes back).
 */
export function flowToGraph(
  nodes: readonly Pick<FlowNode, 'id' | 'position' | 'data'>[],
  edges: readonly Pick<FlowEdge, 'source' | 'sourceHandle' | 'target' | 'targetHandle'>[],
  meta?: Graph['meta'],
  groups: readonly GraphGroup[] = [],
  subgraphs: Graph['subgraphs'] = {},
): Graph {
  const graph: Graph = { version: GRAPH_FORMAT_VERSION, nodes: nodes.map(flowNodeToGraph), edges: edges.map(flowEdgeToGraph) };
  if (groups.length) graph.groups = groups.map(copyGroup);
  const used = usedSubgraphs(graph.nodes, subgraphs);
  if (Object.keys(used).length) graph.subgraphs = used;
  if (meta !== undefined) graph.meta = meta;
  return graph;
}

/** The definitions `nodes` use, directly or through subgraphs inside them. */
export function usedSubgraphs(nodes: readonly GraphNode[], all: NonNullable<Graph['subgraphs']>): NonNullable<Graph['subgraphs']> {
  const used: NonNullable<Graph['subgraphs']> = {};
  const visit = (ns: readonly GraphNode[]) => {
    for (const n of ns) {
      const key = n.subgraph;
      if (key === undefined || key in used || !all[key]) continue;
      used[key] = all[key];
      visit(all[key].nodes);
    }
  };
  visit(nodes);
  return used;
}

/**
 * Positions for nodes without one: column = longest path from a source node, row = order in
 * that column, so a hand-written graph opens left-to-right in data-flow order.
 */
export function autoLayout(graph: Pick<Graph, 'nodes' | 'edges'>): Map<string, XYPosition> {
  const depth = new Map<string, number>(graph.nodes.map((n) => [n.id, 0]));
  // Bellman-Ford style relaxation bounded by node count, so a cycle cannot loop forever.
  for (let i = 0; i < graph.nodes.length; i++) {
    let changed = false;
    for (const e of graph.edges) {
      const d = (depth.get(e.from.node) ?? 0) + 1;
      if (depth.has(e.to.node) && d > depth.get(e.to.node)! && d < graph.nodes.length) {
        depth.set(e.to.node, d);
        changed = true;
      }
    }
    if (!changed) break;
  }
  const rows = new Map<number, number>();
  const out = new Map<string, XYPosition>();
  for (const n of graph.nodes) {
    const col = depth.get(n.id) ?? 0;
    const row = rows.get(col) ?? 0;
    rows.set(col, row + 1);
    out.set(n.id, { x: col * AUTO_LAYOUT.column, y: row * AUTO_LAYOUT.row });
  }
  return out;
}

/** A node id not used yet, readable in error messages ("sampler_2"). */
export function freshNodeId(type: string, taken: ReadonlySet<string>): string {
  const base = type.replace(/[^a-zA-Z0-9_]/g, '_') || 'node';
  for (let i = 1; ; i++) {
    const id = `${base}_${i}`;
    if (!taken.has(id)) return id;
  }
}
