// Params fed by wires ("convert param to input"): an edge whose `to.input` names a param of its node carries the
// value of a primitive node (nodes/defs/utility/primitive-*.ts). Resolved away after bypass and reroutes: each value
// is checked with the consumer param's schema and written into its params, then the primitives and their edges are
// dropped, so runs, cache keys and outputs equal the graph with the values typed in.
import type { SocketType } from '../define';
import type { CatalogNode } from './catalog';
import type { Graph, GraphEdge, GraphNode } from './graph';
import { paramSchema, quoteValue, type ParamUi } from './params';
import type { GraphProblem } from './validate';

export const PRIMITIVE_TYPES: ReadonlySet<string> = new Set(['primitive_int', 'primitive_float', 'primitive_text', 'primitive_seed']);
/** A primitive's one param and its one output are both named this. */
export const PRIMITIVE_VALUE = 'value';

export function isPrimitive(node: { type: string }): boolean {
  return PRIMITIVE_TYPES.has(node.type);
}

/**
 * The socket type a param takes once converted to an input, or undefined when it stays a widget: toggles, and model
 * and image pickers (their names are checked against folders; a picker says more than a typed string).
 */
export function paramSocketType(ui: ParamUi): SocketType | undefined {
  if (ui.widget === 'model' || ui.widget === 'image') return undefined;
  if (ui.valueType === 'int') return 'INT';
  if (ui.valueType === 'float') return 'FLOAT';
  if (ui.valueType === 'string') return 'STRING';
  return undefined;
}

/**
 * The param of `def` an edge's `to.input` names, when it names no input socket (inputs win: they are real sockets).
 * A primitive's own value is never wired: primitives are resolved in one pass, not chained.
 */
export function targetParam(def: CatalogNode, name: string): CatalogNode['params'][number] | undefined {
  if (isPrimitive(def) || def.inputs.some((i) => i.name === name)) return undefined;
  return def.params.find((p) => p.name === name);
}

/** The socket type of input `name` of `def`, or of its param `name` converted to an input. */
export function inputSocketType(def: CatalogNode, name: string): SocketType | undefined {
  const input = def.inputs.find((i) => i.name === name);
  if (input) return input.type;
  const param = def.params.find((p) => p.name === name);
  return param && paramSocketType(param.ui);
}

export interface ParamInputResult {
  /** Primitives removed, their values written into the params they feed, `paramInputs` dropped. */
  graph: Graph;
  /** Wires into params that cannot be resolved: a non-primitive source, a wrong type, a value out of range. */
  problems: GraphProblem[];
  /** Params converted to inputs (`paramInputs`) that no wire feeds, as `{ node, param }`. */
  unfed: { node: string; param: string }[];
}

export function resolveParamInputs(graph: Graph, catalog: ReadonlyMap<string, CatalogNode>): ParamInputResult {
  const converted = graph.nodes.some((n) => n.paramInputs?.length);
  const primitives = new Map(graph.nodes.filter(isPrimitive).map((n) => [n.id, n]));
  if (!primitives.size && !converted) return { graph, problems: [], unfed: [] };
  const byId = new Map(graph.nodes.map((n) => [n.id, n] as const));
  const problems: GraphProblem[] = [];
  const written = new Map<string, Record<string, unknown>>(); // consumer id → values from primitives
  const fed = new Set<string>();
  const edges: GraphEdge[] = [];
  for (const e of graph.edges) {
    const to = byId.get(e.to.node);
    const toDef = to && catalog.get(to.type);
    const param = toDef && targetParam(toDef, e.to.input);
    if (!to || !toDef || !param) {
      if (!primitives.has(e.from.node)) edges.push(e);
      else if (toDef) problems.push(notAParam(e, toDef, primitives.get(e.from.node)!, catalog));
      continue;
    }
    const key = `${to.id}\0${param.name}`;
    if (fed.has(key)) {
      problems.push({
        code: 'duplicate_input_edge', nodeId: to.id, param: param.name, input: param.name,
        message: `param "${param.name}" of node "${to.id}" has more than one incoming wire`,
      });
      continue;
    }
    fed.add(key);
    const problem = feedProblem(e, to, toDef, param, byId.get(e.from.node), catalog);
    if (problem) {
      problems.push(problem);
      continue;
    }
    const source = byId.get(e.from.node)!;
    const values = written.get(to.id) ?? {};
    values[param.name] = primitiveValue(source, catalog);
    written.set(to.id, values);
  }

  const unfed: ParamInputResult['unfed'] = [];
  const nodes: GraphNode[] = [];
  for (const n of graph.nodes) {
    if (primitives.has(n.id)) continue;
    for (const p of n.paramInputs ?? []) if (!fed.has(`${n.id}\0${p}`)) unfed.push({ node: n.id, param: p });
    const values = written.get(n.id);
    const { paramInputs: _shown, ...rest } = n;
    nodes.push(values ? { ...rest, params: { ...n.params, ...values } } : rest);
  }
  return { graph: { ...graph, nodes, edges }, problems, unfed };
}

function primitiveValue(node: GraphNode, catalog: ReadonlyMap<string, CatalogNode>): unknown {
  return node.params[PRIMITIVE_VALUE] ?? catalog.get(node.type)?.params.find((p) => p.name === PRIMITIVE_VALUE)?.default;
}

/** Why the wire `e` cannot feed `param` of `to`, or null when it can (a primitive of the param's type, in range). */
function feedProblem(
  e: GraphEdge, to: GraphNode, toDef: CatalogNode, param: CatalogNode['params'][number],
  source: GraphNode | undefined, catalog: ReadonlyMap<string, CatalogNode>,
): GraphProblem | null {
  const at = { nodeId: to.id, param: param.name, input: param.name };
  const name = `param "${param.name}" of node "${to.id}" (${toDef.title})`;
  if (!source) return { code: 'unknown_node', ...at, message: `${name} is wired from missing node "${e.from.node}"` };
  const sourceDef = catalog.get(source.type);
  if (!sourceDef) return { code: 'unknown_node_type', ...at, message: `${name} is wired from node "${source.id}" of unknown type "${source.type}"` };
  if (!isPrimitive(source)) {
    return {
      code: 'type_mismatch', ...at,
      message: `${name} can only be fed by a primitive node (Int, Float, Text, Seed); node "${source.id}" is a ${sourceDef.title}`,
    };
  }
  const outType = sourceDef.outputs.find((o) => o.name === e.from.output)?.type;
  const inType = paramSocketType(param.ui);
  if (!inType || outType !== inType) {
    return {
      code: 'type_mismatch', ...at,
      message: inType
        ? `${outType ?? 'unknown'} output of node "${source.id}" (${sourceDef.title}) cannot feed ${name}, which takes ${inType}`
        : `${name} cannot be fed by a wire: choose its value in the node`,
    };
  }
  const value = primitiveValue(source, catalog);
  const r = paramSchema(param.ui).safeParse(value);
  if (r.success) return null;
  const hint = param.ui.choices ? `; valid: ${param.ui.choices.join(', ')}` : '';
  return {
    code: 'param_invalid', ...at,
    message: `node "${to.id}" param "${param.name}": ${r.error.issues[0]?.message ?? 'invalid'} (got ${quoteValue(value)} from node "${source.id}" (${sourceDef.title}))${hint}`,
  };
}

function notAParam(e: GraphEdge, toDef: CatalogNode, source: GraphNode, catalog: ReadonlyMap<string, CatalogNode>): GraphProblem {
  const sourceTitle = catalog.get(source.type)?.title ?? source.type;
  return {
    code: 'type_mismatch', nodeId: e.to.node, input: e.to.input,
    message: `node "${source.id}" (${sourceTitle}) feeds only params converted to inputs; "${e.to.input}" of node "${e.to.node}" (${toDef.title}) is not one`,
  };
}
