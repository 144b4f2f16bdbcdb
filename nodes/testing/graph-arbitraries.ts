// fast-check generators of graphs for the reliability fuzz tests: random JSON, catalog-shaped random graphs,
// mutations of the shipped workflows, and small valid graphs of cheap image nodes that a worker can execute.
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import type { CatalogNode } from '../engine/catalog';
import type { ProblemCode } from '../engine/validate';

// A record keyed by ProblemCode, so a code added to the engine without being listed here fails to compile.
const CODES: Record<ProblemCode, true> = {
  invalid_json: true, invalid_graph: true, duplicate_node_id: true, unknown_node_type: true, unknown_node: true,
  unknown_socket: true, missing_input: true, type_mismatch: true, duplicate_input_edge: true, cycle: true,
  param_invalid: true, unknown_model: true, unknown_input_image: true, no_output: true, image_too_large: true,
  unknown_subgraph: true,
};
export const PROBLEM_CODES = Object.keys(CODES) as readonly ProblemCode[];
/** Problems about the graph as a whole; every other code names the node it is about. */
export const GRAPH_WIDE_CODES: ReadonlySet<ProblemCode> = new Set(['invalid_json', 'invalid_graph', 'no_output']);

type Json = unknown;
type RawGraph = { nodes: Record<string, Json>[]; edges: Record<string, Json>[]; [k: string]: Json };

export function shippedWorkflows(root: string): RawGraph[] {
  const dir = path.join(root, 'workflows');
  return fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as RawGraph);
}

/** Anything a caller could send, including values superjson carries but JSON does not (bigint, Date, Map, undefined). */
const junk = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 2, withBigInt: true, withDate: true, withMap: true, withSet: true, withNullPrototype: true }) },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', '', '../../etc/passwd', '\0', 'C:\\x', NaN, Infinity, -0, 2 ** 53) },
);

const idLike = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'save', 'fill') },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'hasOwnProperty', '\0', 'x'.repeat(201)) },
);

function paramValue(p: CatalogNode['params'][number]): fc.Arbitrary<Json> {
  const ui = p.ui;
  const valid: fc.Arbitrary<Json> = ui.choices
    ? fc.constantFrom(...ui.choices)
    : ui.valueType === 'boolean'
      ? fc.boolean()
      : ui.valueType === 'string'
        ? fc.string({ maxLength: 12 })
        : ui.valueType === 'int'
          ? fc.integer({ min: Math.max(ui.min ?? -1000, -1e6) - 2, max: Math.min(ui.max ?? 1000, 1e6) + 2 })
          : fc.double({ min: (ui.min ?? -10) - 1, max: (ui.max ?? 10) + 1, noNaN: true });
  return fc.oneof({ weight: 1, arbitrary: fc.constant(p.default) }, { weight: 3, arbitrary: valid }, { weight: 1, arbitrary: junk });
}

/** Random graphs shaped like real ones: catalog types, their sockets and params, mixed with junk at every level. */
export function catalogGraph(catalog: readonly CatalogNode[]): fc.Arbitrary<Json> {
  const node = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...catalog) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  ).chain((def) => fc.record({
    id: idLike,
    type: def ? fc.constant(def.type) : fc.oneof(fc.string({ maxLength: 10 }), junk),
    typeVersion: fc.oneof({ weight: 8, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.integer({ min: -1, max: 3 }) }, { weight: 1, arbitrary: junk }),
    params: def
      ? fc.record(Object.fromEntries(def.params.map((p) => [p.name, paramValue(p)])), { requiredKeys: [] })
        .chain((ps) => fc.oneof({ weight: 6, arbitrary: fc.constant(ps) }, { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 6 }), junk, { maxKeys: 3 }).map((extra) => ({ ...ps, ...extra })) }))
      : fc.dictionary(fc.string({ maxLength: 6 }), junk, { maxKeys: 3 }),
    mode: fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 2, arbitrary: fc.constant('bypass') }, { weight: 1, arbitrary: junk }),
    controls: fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.dictionary(fc.constantFrom('seed', 'noise_seed', 'x'), fc.constantFrom('fixed', 'random', 'increment', 'never')) }),
  }, { requiredKeys: ['id', 'type'] }));
  const socketName = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...new Set(catalog.flatMap((c) => [...c.inputs, ...c.outputs].map((s) => s.name)))) },
    { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
  );
  return fc.array(node, { maxLength: 12 }).chain((nodes) => {
    const ids = nodes.map((n) => n.id as Json);
    const endpoint = ids.length ? fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...ids) }, { weight: 1, arbitrary: idLike }) : idLike;
    const edge = fc.record({
      from: fc.record({ node: endpoint, output: socketName }),
      to: fc.record({ node: endpoint, input: socketName }),
    });
    return fc.record({
      version: fc.oneof({ weight: 9, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: junk }),
      nodes: fc.constant(nodes),
      edges: fc.array(fc.oneof({ weight: 12, arbitrary: edge }, { weight: 1, arbitrary: junk }), { maxLength: 20 }),
      meta: fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.record({ exposed: junk }) }),
    }, { requiredKeys: ['nodes', 'edges'] });
  });
}

type Mutation = { kind: number; a: number; b: number; value: Json };
const mutation: fc.Arbitrary<Mutation> = fc.record({ kind: fc.nat(14), a: fc.nat(), b: fc.nat(), value: junk });

function pick<T>(list: T[], i: number): T | undefined {
  return list.length ? list[i % list.length] : undefined;
}

/** One edit a user, a buggy client or an attacker could make to a saved workflow. */
function mutate(g: RawGraph, m: Mutation): void {
  const node = pick(g.nodes, m.a) as Record<string, Json> | undefined;
  const edge = pick(g.edges, m.a) as { from: Record<string, Json>; to: Record<string, Json> } | undefined;
  const other = pick(g.nodes, m.b) as Record<string, Json> | undefined;
  switch (m.kind) {
    case 0: if (node) g.nodes.splice(m.a % g.nodes.length, 1); break;
    case 1: if (edge) g.edges.splice(m.a % g.edges.length, 1); break;
    case 2: if (node) g.nodes.push(structuredClone(node)); break; // duplicate id
    case 3: if (node && typeof node.params === 'object' && node.params) {
      const keys = Object.keys(node.params);
      (node.params as Record<string, Json>)[pick(keys, m.b) ?? 'x'] = m.value;
    } break;
    case 4: if (edge && other) edge.from.node = other.id; break;
    case 5: if (edge && other) edge.to.node = other.id; break;
    case 6: if (node) node.mode = m.b % 5 ? 'bypass' : m.value; break;
    case 7: if (node) node.id = m.b % 3 ? `${String(node.id)}_` : m.value; break;
    case 8: if (node && other) g.edges.push({ from: { node: node.id, output: 'image' }, to: { node: other.id, input: pick(['image', 'images', 'base', 'model', 'latent'], m.b)! } }); break;
    case 9: if (node) node.typeVersion = pick([2, 0, 99, m.value], m.b); break;
    case 10: if (edge) (m.b % 2 ? edge.from : edge.to)[m.b % 4 < 2 ? 'node' : m.b % 2 ? 'output' : 'input'] = m.value; break;
    case 11: if (node) node[pick(['params', 'type', 'id', 'controls', 'position'], m.b)!] = m.value; break;
    case 12: if (edge) g.edges.push(structuredClone(edge)); break; // a second edge into the same input
    case 13: g.meta = { ...(g.meta as object), [pick(['exposed', 'name', 'notes'], m.b)!]: m.value }; break;
    default: if (node) node.type = pick(['solid_color', 'save_image', 'sampler', 'vae_decode', 'nope'], m.b); break;
  }
}

/** JSON text of a value, or undefined when it holds what JSON cannot carry (bigint). */
function jsonText(v: Json): string | undefined {
  try {
    return JSON.stringify(v);
  } catch {
    return undefined;
  }
}

export function mutatedWorkflow(workflows: RawGraph[]): fc.Arbitrary<Json> {
  return fc.tuple(fc.nat(workflows.length - 1), fc.array(mutation, { minLength: 1, maxLength: 6 }), fc.nat(9)).map(([i, ms, form]) => {
    const g = structuredClone(workflows[i]);
    for (const m of ms) mutate(g, m);
    // Sometimes as the JSON text a file import or the HTTP API would carry, sometimes cut short.
    const text = form < 2 ? jsonText(g) : undefined;
    if (text === undefined) return g;
    return form === 0 ? text : text.slice(0, 20 + (ms[0].a % 200));
  });
}

export function randomJson(): fc.Arbitrary<Json> {
  return fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.json({ maxDepth: 3 }), fc.string({ maxLength: 30 }), junk,
    fc.record({ nodes: fc.array(junk, { maxLength: 4 }), edges: fc.array(junk, { maxLength: 4 }) }));
}

/** All three families, weighted towards graphs that get past the format check. */
export function anyGraphInput(catalog: readonly CatalogNode[], workflows: RawGraph[]): fc.Arbitrary<Json> {
  return fc.oneof(
    { weight: 2, arbitrary: randomJson() },
    { weight: 4, arbitrary: catalogGraph(catalog) },
    { weight: 4, arbitrary: mutatedWorkflow(workflows) },
  );
}

// ---- small graphs that run (cheap image nodes only, every image at most 48 px a side) ----

const small = fc.integer({ min: 1, max: 48 });
const colour = fc.oneof({ weight: 9, arbitrary: fc.constantFrom('#f00', '#00ff00', '#2040c0', '#ffffff80', '#000') }, { weight: 1, arbitrary: fc.constantFrom('red', '#12') });
const imageOps = {
  resize: fc.oneof(
    fc.record({ width: small, height: fc.oneof(small, fc.constant(0)), kernel: fc.constantFrom('lanczos3', 'nearest', 'linear', 'cubic') }),
    fc.record({ width: fc.constant(0), height: small }),
  ),
  composite: fc.record({ x: fc.integer({ min: -50, max: 50 }), y: fc.integer({ min: -50, max: 50 }), opacity: fc.double({ min: 0, max: 1, noNaN: true }), blend: fc.constantFrom('normal', 'multiply', 'screen', 'add') }),
  crop: fc.record({ x: fc.integer({ min: 0, max: 20 }), y: fc.integer({ min: 0, max: 20 }), width: fc.integer({ min: 1, max: 24 }), height: fc.integer({ min: 1, max: 24 }) }),
  transform: fc.record({ operation: fc.constantFrom('flip_horizontal', 'flip_vertical', 'rotate_90', 'rotate_180', 'rotate_270') }),
} as const;
const INPUTS: Record<string, string[]> = { resize: ['image'], composite: ['base', 'overlay'], crop: ['image'], transform: ['image'], save_image: ['images'] };

/**
 * A DAG of Solid Colour sources, image operations and one or two Save Image outputs, every input fed by an
 * earlier node. Crops may reach past the image and colours may be malformed: those runs fail with a code.
 */
export function cheapRunnableGraph(): fc.Arbitrary<{ version: 1; nodes: Record<string, Json>[]; edges: Record<string, Json>[] }> {
  const op = fc.oneof(
    ...(Object.entries(imageOps) as [string, fc.Arbitrary<Record<string, Json>>][]).map(([type, params]) => params.map((p) => ({ type, params: p }))),
  );
  const step = fc.record({ op, feeds: fc.array(fc.nat(), { minLength: 2, maxLength: 2 }), bypass: fc.nat(9) });
  const save = fc.record({ format: fc.constantFrom('png', 'webp', 'jpeg'), quality: fc.integer({ min: 1, max: 100 }) });
  return fc.record({
    sources: fc.array(fc.record({ width: small, height: small, color: colour }), { minLength: 1, maxLength: 3 }),
    steps: fc.array(step, { maxLength: 6 }),
    saves: fc.array(fc.record({ params: save, from: fc.nat() }), { minLength: 1, maxLength: 2 }),
  }).map(({ sources, steps, saves }) => {
    const nodes: Record<string, Json>[] = sources.map((p, i) => ({ id: `src${i}`, type: 'solid_color', typeVersion: 1, params: p }));
    const edges: Record<string, Json>[] = [];
    const connect = (id: string, type: string, feeds: number[]) => INPUTS[type].forEach((input, k) => {
      const from = nodes[feeds[k] % nodes.length].id;
      edges.push({ from: { node: from, output: 'image' }, to: { node: id, input } });
    });
    steps.forEach((s, i) => {
      const id = `op${i}`;
      connect(id, s.op.type, s.feeds);
      nodes.push({ id, type: s.op.type, typeVersion: 1, params: s.op.params, ...(s.bypass === 0 ? { mode: 'bypass' } : {}) });
    });
    saves.forEach((s, i) => {
      connect(`save${i}`, 'save_image', [s.from, 0]);
      nodes.push({ id: `save${i}`, type: 'save_image', typeVersion: 1, params: { filename_prefix: `fuzz${i}`, ...s.params } });
    });
    return { version: 1 as const, nodes, edges };
  });
}
