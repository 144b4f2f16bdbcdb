// Exposed inputs: params an owner names in `graph.meta.exposed` so the HTTP API can set them per run
// (e.g. prompt, seed). Stored in the graph, so they are versioned with it. Pure: the editor uses it too.
import { z } from 'zod';
import type { CatalogNode } from './catalog';
import type { Graph } from './graph';
import { paramSchema, quoteValue, type ParamUi } from './params';
import { catalogMap } from './validate';

export const MAX_EXPOSED_INPUTS = 64;
export const EXPOSED_NAME_PATTERN = /^[a-zA-Z_][a-zA-Z0-9_]{0,63}$/;

export const exposedInputSchema = z.object({
  name: z.string().regex(EXPOSED_NAME_PATTERN, 'a name starts with a letter or _, then up to 63 letters, digits or _'),
  node: z.string().min(1).max(200),
  param: z.string().min(1).max(200),
});

export type ExposedInput = z.infer<typeof exposedInputSchema>;

export const exposedListSchema = z
  .array(exposedInputSchema)
  .max(MAX_EXPOSED_INPUTS, `at most ${MAX_EXPOSED_INPUTS} exposed inputs`)
  .superRefine((list, ctx) => {
    const names = new Set<string>();
    const targets = new Map<string, string>();
    list.forEach((e, i) => {
      if (names.has(e.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `the name "${e.name}" is used twice` });
      names.add(e.name);
      const target = `${e.node}\0${e.param}`;
      const other = targets.get(target);
      if (other !== undefined) {
        ctx.addIssue({ code: 'custom', path: [i, 'param'], message: `param "${e.param}" of node "${e.node}" is already exposed as "${other}"` });
      }
      targets.set(target, e.name);
    });
  });

export type ExposedErrorCode = 'invalid_exposed' | 'not_exposed_param' | 'invalid_body' | 'unknown_input' | 'invalid_value';

export interface ExposedProblem {
  code: ExposedErrorCode;
  message: string;
  input?: string;
  node?: string;
  param?: string;
  /** unknown_input: the names a caller may use. */
  valid?: string[];
}

/** Carries every problem found; `code` and `message` summarise the first kind met. */
export class ExposedInputError extends Error {
  readonly code: ExposedErrorCode;
  constructor(readonly problems: ExposedProblem[]) {
    super(problems.map((p) => p.message).join('; '));
    this.name = 'ExposedInputError';
    this.code = problems[0].code;
  }
}

/** The graph's exposed inputs; none when `meta.exposed` is absent. A malformed list throws `invalid_exposed`. */
export function readExposed(graph: Pick<Graph, 'meta'>): ExposedInput[] {
  const raw = graph.meta?.exposed;
  if (raw === undefined || raw === null) return [];
  const parsed = exposedListSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new ExposedInputError(parsed.error.issues.slice(0, 20).map((i) => ({
    code: 'invalid_exposed',
    message: `graph meta.exposed${i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}: ${i.message}; fix the list in the editor's API panel`,
  })));
}

/** A graph with `meta.exposed` replaced (validated first; an empty list removes the key). */
export function withExposed(graph: Graph, exposed: ExposedInput[]): Graph {
  const list = exposedListSchema.parse(exposed);
  const { exposed: _old, ...meta } = graph.meta ?? {};
  return { ...graph, meta: list.length ? { ...meta, exposed: list } : meta };
}

export interface ResolvedExposedInput extends ExposedInput {
  nodeType: string | null;
  nodeTitle: string | null;
  ui: ParamUi | null;
  /** The value a run uses when the caller leaves this input out: the graph's, else the param's default. */
  default: unknown;
  /** Why this entry no longer points at a param (node deleted, type changed); null when it does. */
  problem: string | null;
}

/** Every exposed input with the param it sets; broken entries are kept with a `problem` (for the editor). */
export function resolveExposed(
  graph: Graph, catalog: readonly CatalogNode[] | ReadonlyMap<string, CatalogNode>,
): ResolvedExposedInput[] {
  const types = catalogMap(catalog);
  const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  return readExposed(graph).map((e) => {
    const node = nodes.get(e.node);
    const def = node ? types.get(node.type) : undefined;
    const spec = def?.params.find((p) => p.name === e.param);
    const base = { ...e, nodeType: node?.type ?? null, nodeTitle: node?.title ?? def?.title ?? null };
    if (!node || !def || !spec) {
      const problem = !node
        ? `input "${e.name}" points at node "${e.node}", which is not in the graph`
        : !def
          ? `input "${e.name}" points at node "${e.node}" of unknown type "${node.type}"`
          : `input "${e.name}" points at param "${e.param}", which node "${e.node}" (${def.title}) does not have; params: ${def.params.map((p) => p.name).join(', ')}`;
      return { ...base, ui: spec?.ui ?? null, default: null, problem };
    }
    return { ...base, ui: spec.ui, default: node.params[e.param] ?? spec.default, problem: null };
  });
}

export interface ExposedInputInfo extends ExposedInput {
  nodeType: string;
  nodeTitle: string;
  ui: ParamUi;
  default: unknown;
}

/** What a client needs to call the workflow. Any entry that no longer points at a param throws `not_exposed_param`. */
export function describeExposed(
  graph: Graph, catalog: readonly CatalogNode[] | ReadonlyMap<string, CatalogNode>,
): ExposedInputInfo[] {
  const resolved = resolveExposed(graph, catalog);
  const broken = resolved.filter((r) => r.problem !== null);
  if (broken.length) {
    throw new ExposedInputError(broken.map((b) => ({
      code: 'not_exposed_param', input: b.name, node: b.node, param: b.param,
      message: `${b.problem}; the workflow's owner must fix its API inputs and save`,
    })));
  }
  return resolved.map(({ problem: _p, ...r }) => ({ ...r, nodeType: r.nodeType!, nodeTitle: r.nodeTitle!, ui: r.ui! }));
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

/**
 * A new graph with the given inputs set, each checked by its param's own schema. Inputs left out keep
 * the graph's values. A set param's control becomes 'fixed', so a given seed runs as given.
 */
export function applyExposedInputs(
  graph: Graph, inputs: unknown, catalog: readonly CatalogNode[] | ReadonlyMap<string, CatalogNode>,
): Graph {
  if (!isPlainObject(inputs)) {
    const got = inputs === null ? 'null' : Array.isArray(inputs) ? 'an array' : typeof inputs;
    throw new ExposedInputError([{ code: 'invalid_body', message: `the inputs must be a JSON object like {"name": value}, not ${got}` }]);
  }
  const exposed = describeExposed(graph, catalog);
  const byName = new Map(exposed.map((e) => [e.name, e]));
  const valid = exposed.map((e) => e.name);
  const unknown = Object.keys(inputs).filter((k) => !byName.has(k));
  if (unknown.length) {
    const list = valid.length ? valid.join(', ') : 'none (the owner has exposed no inputs)';
    throw new ExposedInputError(unknown.map((name) => ({
      code: 'unknown_input', input: name, valid,
      message: `unknown input "${name}"; this workflow's inputs: ${list}`,
    })));
  }

  const problems: ExposedProblem[] = [];
  const updates = new Map<string, Record<string, unknown>>();
  for (const e of exposed) {
    if (!Object.hasOwn(inputs, e.name)) continue;
    const value = inputs[e.name];
    const r = paramSchema(e.ui).safeParse(value);
    if (!r.success) {
      const hint = e.ui.choices ? `; valid: ${e.ui.choices.join(', ')}` : '';
      problems.push({
        code: 'invalid_value', input: e.name, node: e.node, param: e.param,
        message: `input "${e.name}" (node "${e.node}" param "${e.param}"): ${r.error.issues[0]?.message ?? 'invalid'} (got ${quoteValue(value)})${hint}`,
      });
      continue;
    }
    updates.set(e.node, { ...updates.get(e.node), [e.param]: r.data });
  }
  if (problems.length) throw new ExposedInputError(problems);

  return {
    ...graph,
    nodes: graph.nodes.map((n) => {
      const set = updates.get(n.id);
      if (!set) return n;
      const fixed = Object.fromEntries(Object.keys(set).map((p) => [p, 'fixed' as const]));
      return { ...n, params: { ...n.params, ...set }, controls: { ...n.controls, ...fixed } };
    }),
  };
}

/** A free input name for a param, e.g. "seed", then "seed_2" (for the editor's "Expose" form). */
export function suggestExposedName(param: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  let base = param.replace(/[^a-zA-Z0-9_]/g, '_').slice(0, 56);
  if (!/^[a-zA-Z_]/.test(base)) base = `_${base}`.slice(0, 56);
  if (!used.has(base)) return base;
  for (let i = 2; ; i++) if (!used.has(`${base}_${i}`)) return `${base}_${i}`;
}
