// Graph validation: schema first, then semantics. Reports ALL problems at once with stable
// codes and node ids. Pure: it works from the serialisable catalog, so the editor runs it too.
import { graphSchema, type Graph, type GraphEdge } from './graph';
import type { CatalogNode } from './catalog';
import type { SocketType } from '../define';
import { paramSchema, isPlainModelName, quoteValue } from './params';
import { adjacency, ancestorsOf, topologicalOrder } from './order';
import { resolveBypass } from './bypass';
import { isReroute, resolveReroutes, rerouteConsumerType, rerouteType, type RerouteResult } from './reroute';
import { isPrimitive, resolveParamInputs, targetParam, paramSocketType } from './param-inputs';
import { flattenSubgraphs, type FlattenResult } from './subgraph';
import { resolveSubgraphTargets } from './subgraph-targets';
import { imageSizeProblems, type ImageSizeOptions } from './image-size';
import type { ModelKind } from '../runtime/models';

export type ProblemCode =
  | 'invalid_json' | 'invalid_graph' | 'duplicate_node_id' | 'unknown_node_type' | 'unknown_node'
  | 'unknown_socket' | 'missing_input' | 'type_mismatch' | 'duplicate_input_edge' | 'cycle'
  | 'param_invalid' | 'unknown_model' | 'unknown_input_image' | 'no_output' | 'image_too_large' | 'unknown_subgraph';

export interface GraphProblem {
  code: ProblemCode;
  nodeId?: string;
  input?: string;
  param?: string;
  message: string;
  /** For a problem inside a subgraph (reported on the subgraph node, `nodeId`): the inner node's flat id. */
  innerNodeId?: string;
}

export type ValidationResult =
  /**
   * `graph` as given (bypass flags kept: what is stored and embedded); `runGraph` what executes (bypassed nodes and
   * reroutes resolved); `targets` the given targets as ids of `runGraph` (a subgraph node's become its inner nodes').
   */
  | { ok: true; graph: Graph; runGraph: Graph; targets?: string[]; problems: [] }
  | { ok: false; graph?: Graph; problems: GraphProblem[] };

export interface ValidateOptions {
  catalog: readonly CatalogNode[] | ReadonlyMap<string, CatalogNode>;
  /** When given, model params must name an existing file. */
  models?: { exists(kind: ModelKind, name: string): boolean };
  /** Node ids to run ("run to here"); default: every output node. */
  targets?: string[];
  /** When given, outputs whose size is known before running must stay within `maxPixels` (image_too_large). */
  imageSizes?: ImageSizeOptions;
}

export function catalogMap(catalog: ValidateOptions['catalog']): ReadonlyMap<string, CatalogNode> {
  return catalog instanceof Map ? catalog : new Map((catalog as readonly CatalogNode[]).map((c) => [c.type, c]));
}

/** Accepts a Graph object or its JSON text. */
export function validateGraph(input: unknown, opts: ValidateOptions): ValidationResult {
  if (typeof input === 'string') {
    try {
      input = JSON.parse(input);
    } catch (e) {
      return { ok: false, problems: [{ code: 'invalid_json', message: `graph is not valid JSON: ${(e as Error).message}` }] };
    }
  }
  const parsed = graphSchema.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.slice(0, 50).map((i) => ({
        code: 'invalid_graph' as const,
        message: `${i.path.join('.') || 'graph'}: ${i.message}`,
      })),
    };
  }
  const graph = parsed.data;
  const flat = flattenSubgraphs(graph);
  const { graph: unbypassed, cut } = resolveBypass(flat.graph, catalogMap(opts.catalog), flat.bypassed);
  const reroutes = resolveReroutes(unbypassed);
  const fed = resolveParamInputs(reroutes.graph, catalogMap(opts.catalog));
  const runGraph = fed.graph;
  const bypassed = new Set(flat.graph.nodes.filter((n) => n.mode === 'bypass').map((n) => n.id));
  const rerouteIds = new Set(flat.graph.nodes.filter(isReroute).map((n) => n.id));
  const primitiveIds = new Set(flat.graph.nodes.filter(isPrimitive).map((n) => n.id));
  const targets = opts.targets && resolveSubgraphTargets(opts.targets, flat, catalogMap(opts.catalog));
  const nothingInside: GraphProblem[] = [
    ...(targets?.empty ?? []).map((t): GraphProblem => ({
      code: 'no_output', nodeId: t, message: `subgraph node "${t}" has no outputs and no output node inside: nothing to run to`,
    })),
    ...[...targets?.bypassed ?? []].map(([t, by]): GraphProblem => ({
      code: 'unknown_node', nodeId: by, message: `node "${t}" is inside subgraph node "${by}", which is bypassed: turn bypass off to run to it`,
    })),
  ];
  const semantic = semanticProblems(runGraph, { ...opts, targets: targets?.targets }, { cut, bypassed }, { ...reroutes, ids: rerouteIds }, { ...fed, ids: primitiveIds });
  const problems = [
    ...flat.problems,
    ...nothingInside,
    // The graph-wide "no target" says less than the subgraph node's own problem.
    ...(nothingInside.length ? semantic.filter((p) => p.code !== 'no_output') : semantic),
  ].map((p) => onSubgraphNode(p, graph, flat));
  return problems.length ? { ok: false, graph, problems } : { ok: true, graph, runGraph, targets: targets?.targets, problems: [] };
}

/** A problem on a node that came out of a subgraph is reported on the subgraph node (what the editor shows), naming the inner node. */
function onSubgraphNode(p: GraphProblem, graph: Graph, flat: FlattenResult): GraphProblem {
  const top = p.nodeId === undefined ? undefined : flat.origin.get(p.nodeId);
  if (top === undefined) return p;
  const node = graph.nodes.find((n) => n.id === top);
  const name = (node?.subgraph && graph.subgraphs?.[node.subgraph]?.name) || 'subgraph';
  return { ...p, nodeId: top, innerNodeId: p.nodeId, message: `in subgraph node "${top}" ("${name}"), inner node "${p.nodeId!.slice(top.length + 1)}": ${p.message}` };
}

interface BypassInfo { cut: ReadonlyMap<string, string>; bypassed: ReadonlySet<string> }
type RerouteInfo = Omit<RerouteResult, 'graph'> & { ids: ReadonlySet<string> };
interface ParamInputInfo { problems: GraphProblem[]; unfed: { node: string; param: string }[]; ids: ReadonlySet<string> }

function semanticProblems(
  graph: Graph, opts: ValidateOptions, bypass: BypassInfo, reroute: RerouteInfo, paramInputs: ParamInputInfo,
): GraphProblem[] {
  const catalog = catalogMap(opts.catalog);
  const problems: GraphProblem[] = [];
  const byId = new Map<string, Graph['nodes'][number]>();
  for (const n of graph.nodes) {
    if (byId.has(n.id)) problems.push({ code: 'duplicate_node_id', nodeId: n.id, message: `two nodes share the id "${n.id}"` });
    byId.set(n.id, n);
  }
  for (const n of graph.nodes) {
    const def = catalog.get(n.type);
    if (!def) {
      problems.push({ code: 'unknown_node_type', nodeId: n.id, message: `node "${n.id}" has unknown type "${n.type}"` });
    } else if (n.typeVersion > def.version) {
      problems.push({
        code: 'unknown_node_type', nodeId: n.id,
        message: `node "${n.id}" needs ${n.type} v${n.typeVersion}, this server knows v${def.version}`,
      });
    } else {
      problems.push(...paramProblems(n, def, opts));
    }
  }

  for (const b of reroute.badSockets) {
    problems.push({
      code: 'unknown_socket', nodeId: b.reroute,
      message: `reroute "${b.reroute}" has no socket "${b.socket}"; it has one input "input" and one output "output"`,
    });
  }
  const edgeProblems = checkEdges(graph, catalog, byId, reroute.via);
  problems.push(...edgeProblems.problems, ...paramInputs.problems);

  // Which nodes matter: ancestors of the targets (missing inputs elsewhere don't block a run).
  const outputs = graph.nodes.filter((n) => catalog.get(n.type)?.output).map((n) => n.id);
  const targets = opts.targets ?? outputs;
  for (const t of opts.targets ?? []) {
    if (bypass.bypassed.has(t)) {
      problems.push({ code: 'unknown_node', nodeId: t, message: `node "${t}" is bypassed: turn bypass off to run to it` });
    } else if (reroute.ids.has(t)) {
      problems.push({ code: 'unknown_node', nodeId: t, message: `node "${t}" is a reroute: run to the node that feeds it` });
    } else if (paramInputs.ids.has(t)) {
      problems.push({ code: 'unknown_node', nodeId: t, message: `node "${t}" is a primitive value: run to a node it feeds` });
    } else if (!byId.has(t)) {
      problems.push({ code: 'unknown_node', nodeId: t, message: `target node "${t}" is not in the graph` });
    }
  }
  if (targets.length === 0) {
    problems.push({ code: 'no_output', message: 'the graph has no output node (add a Save Image node) and no target' });
  }
  const needed = ancestorsOf(adjacency(graph), targets);
  for (const id of needed) {
    const node = byId.get(id)!;
    const def = catalog.get(node.type);
    if (!def) continue;
    for (const input of def.inputs) {
      if (!input.optional && !edgeProblems.connected.has(`${id}\0${input.name}`)) {
        const rerouteCut = reroute.cut.get(`${id}\0${input.name}`);
        if (rerouteCut) {
          // Reported on the reroute: that is where the wire is missing.
          problems.push({
            code: rerouteCut.why === 'cycle' ? 'cycle' : 'missing_input', nodeId: rerouteCut.reroute, input: 'input',
            message: rerouteCut.why === 'cycle'
              ? `reroute "${rerouteCut.reroute}" is fed by a loop of reroutes, so node "${id}" (${def.title}) gets nothing on its ${input.type} input "${input.name}"`
              : `reroute "${rerouteCut.reroute}" has nothing connected to its input, so node "${id}" (${def.title}) gets nothing on its ${input.type} input "${input.name}"`,
          });
          continue;
        }
        const cutBy = bypass.cut.get(`${id}\0${input.name}`);
        problems.push({
          code: 'missing_input', nodeId: id, input: input.name,
          message: cutBy
            ? `node "${id}" (${def.title}) gets nothing on its ${input.type} input "${input.name}": node "${cutBy}" is bypassed and has no ${input.type} input to pass through`
            : `node "${id}" (${def.title}) needs its ${input.type} input "${input.name}" connected`,
        });
      }
    }
  }

  for (const u of paramInputs.unfed) {
    if (!needed.has(u.node)) continue;
    const cutBy = bypass.cut.get(`${u.node}\0${u.param}`) ?? reroute.cut.get(`${u.node}\0${u.param}`)?.reroute;
    problems.push({
      code: 'missing_input', nodeId: u.node, input: u.param, param: u.param,
      message: `node "${u.node}" param "${u.param}" is converted to an input but ${cutBy ? `node "${cutBy}" passes it nothing` : 'no wire feeds it'}: connect a primitive node or convert it back to a widget`,
    });
  }

  const { cyclic } = topologicalOrder(graph);
  for (const id of cyclic) {
    problems.push({ code: 'cycle', nodeId: id, message: `node "${id}" is part of (or depends on) a cycle` });
  }
  if (opts.imageSizes && cyclic.length === 0) {
    problems.push(...imageSizeProblems(graph, topologicalOrder(graph, needed).order, catalog, opts.imageSizes));
  }
  return problems;
}

function paramProblems(n: Graph['nodes'][number], def: CatalogNode, opts: ValidateOptions): GraphProblem[] {
  const problems: GraphProblem[] = [];
  const known = new Set(def.params.map((p) => p.name));
  for (const name of Object.keys(n.params)) {
    if (!known.has(name)) {
      problems.push({
        code: 'param_invalid', nodeId: n.id, param: name,
        message: `node "${n.id}" (${def.title}) has no param "${name}"; valid: ${[...known].join(', ') || 'none'}`,
      });
    }
  }
  for (const p of def.params) {
    const value = n.params[p.name] ?? p.default;
    const r = paramSchema(p.ui).safeParse(value);
    if (!r.success) {
      const hint = p.ui.choices ? `; valid: ${p.ui.choices.join(', ')}` : '';
      problems.push({
        code: 'param_invalid', nodeId: n.id, param: p.name,
        message: `node "${n.id}" param "${p.name}": ${r.error.issues[0]?.message ?? 'invalid'} (got ${quoteValue(value)})${hint}`,
      });
      continue;
    }
    if (p.ui.widget === 'model' && typeof value === 'string') {
      const kind = p.ui.modelKind!;
      if (!isPlainModelName(value) || (opts.models && !opts.models.exists(kind, value))) {
        problems.push({
          code: 'unknown_model', nodeId: n.id, param: p.name,
          message: isPlainModelName(value)
            ? `node "${n.id}" param "${p.name}": no ${kind} model named "${value}"`
            : `node "${n.id}" param "${p.name}": "${value}" is not a plain model name inside models/${kind}/`,
        });
      }
    }
  }
  return problems;
}

function checkEdges(
  graph: Graph, catalog: ReadonlyMap<string, CatalogNode>, byId: Map<string, Graph['nodes'][number]>,
  via: ReadonlyMap<string, string[]>,
) {
  const problems: GraphProblem[] = [];
  const connected = new Set<string>();
  for (const e of graph.edges) {
    const r = checkConnectionIn(catalog, byId, e);
    if (!r.ok) {
      // An edge made by resolving reroutes names them: the wire the user drew ends at a reroute.
      const through = via.get(`${e.to.node}\0${e.to.input}`);
      const reason = through ? `${r.reason} (through reroute${through.length > 1 ? 's' : ''} ${through.map((id) => `"${id}"`).join(', ')})` : r.reason;
      problems.push({ code: r.code, nodeId: r.nodeId, input: e.to.input, message: reason });
      // A mistyped edge still occupies its input: reporting it missing too would be noise.
      if (r.code === 'type_mismatch') connected.add(`${e.to.node}\0${e.to.input}`);
      continue;
    }
    const key = `${e.to.node}\0${e.to.input}`;
    if (connected.has(key)) {
      problems.push({
        code: 'duplicate_input_edge', nodeId: e.to.node, input: e.to.input,
        message: `input "${e.to.input}" of node "${e.to.node}" has more than one incoming edge`,
      });
    }
    connected.add(key);
  }
  return { problems, connected };
}

type ConnectionCheck = { ok: true } | { ok: false; code: ProblemCode; nodeId: string; reason: string };

function checkConnectionIn(
  catalog: ReadonlyMap<string, CatalogNode>,
  byId: ReadonlyMap<string, Graph['nodes'][number]>,
  e: GraphEdge,
  /** The type an ANY socket (a reroute's) carries on this side; undefined = not known yet, anything connects. */
  carried?: (nodeId: string, side: 'out' | 'in') => SocketType | undefined,
): ConnectionCheck {
  const from = byId.get(e.from.node);
  const to = byId.get(e.to.node);
  if (!from) return { ok: false, code: 'unknown_node', nodeId: e.to.node, reason: `edge comes from missing node "${e.from.node}"` };
  if (!to) return { ok: false, code: 'unknown_node', nodeId: e.from.node, reason: `edge goes to missing node "${e.to.node}"` };
  const fromDef = catalog.get(from.type);
  const toDef = catalog.get(to.type);
  // Unknown types are reported once per node already.
  if (!fromDef || !toDef) return { ok: true };
  const out = fromDef.outputs.find((o) => o.name === e.from.output);
  // A param converted to an input takes its value type's socket (engine/param-inputs.ts).
  const param = targetParam(toDef, e.to.input);
  const paramType = param && paramSocketType(param.ui);
  const inp = toDef.inputs.find((i) => i.name === e.to.input) ?? (paramType && { name: e.to.input, type: paramType });
  if (!out) {
    return { ok: false, code: 'unknown_socket', nodeId: from.id, reason: `${fromDef.title} has no output "${e.from.output}"; outputs: ${fromDef.outputs.map((o) => o.name).join(', ')}` };
  }
  if (!inp) {
    return { ok: false, code: 'unknown_socket', nodeId: to.id, reason: `${toDef.title} has no input "${e.to.input}"; inputs: ${toDef.inputs.map((i) => i.name).join(', ') || 'none'}` };
  }
  const outType = out.type === 'ANY' ? carried?.(from.id, 'out') : out.type;
  const inType = inp.type === 'ANY' ? carried?.(to.id, 'in') : inp.type;
  if (outType && inType && outType !== inType) {
    return {
      ok: false, code: 'type_mismatch', nodeId: to.id,
      reason: `${outType} output "${out.name}" of ${fromDef.title} cannot connect to ${inType} input "${inp.name}" of ${toDef.title}`,
    };
  }
  if (from.id === to.id) return { ok: false, code: 'cycle', nodeId: to.id, reason: `a node cannot feed itself` };
  return { ok: true };
}

/** For the editor's isValidConnection: may this edge be drawn? (Replacing an input's edge is fine.) */
export function checkConnection(
  catalog: ValidateOptions['catalog'],
  graph: Pick<Graph, 'nodes' | 'edges'>,
  edge: GraphEdge,
): { ok: true } | { ok: false; reason: string } {
  const byId = new Map(graph.nodes.map((n) => [n.id, n] as const));
  const others = graph.edges.filter((e) => !(e.to.node === edge.to.node && e.to.input === edge.to.input));
  // Reroutes are typed by what they carry: their source's type (or their consumers'), and what their consumers take.
  const map = catalogMap(catalog);
  const rest = { nodes: graph.nodes, edges: others };
  const r = checkConnectionIn(map, byId, edge, (id, side) =>
    side === 'out' ? rerouteType(rest, map, id) : rerouteConsumerType(rest, map, id));
  if (!r.ok) return { ok: false, reason: r.reason };
  const { cyclic } = topologicalOrder({ nodes: graph.nodes, edges: [...others, edge] });
  if (cyclic.length) return { ok: false, reason: 'this connection would create a cycle' };
  return { ok: true };
}
