// Imports ComfyUI API-format workflows ({"<id>": {class_type, inputs}}, links as ["<id>", output])
// into StepFlow graphs: supported classes become nodes, everything else is reported, never guessed.
import { GRAPH_FORMAT_VERSION, type Graph, type GraphEdge, type GraphNode } from '../engine/graph';
import { comfyUiNodeColors } from './comfyui-colors';
import { COMFY_NODES, type ComfyApiNode, type ComfyNodeMapping } from './comfyui-nodes';
import type { KnownModels } from './comfyui-values';
import { WorkflowImportError } from './errors';
import { layoutByDepth } from './layout';

export type { KnownModels } from './comfyui-values';

export interface ComfyImportOptions {
  /** Installed model names per kind, so ComfyUI file names map to them. */
  models?: KnownModels;
  /** Stored as meta.name. */
  name?: string;
  /** Refuse (too_many_nodes) before any work when the prompt has more entries: the server's MAX_GRAPH_NODES. */
  maxNodes?: number;
  /** The UI-format workflow saved with the prompt (a ComfyUI PNG's "workflow" chunk): node colours come from it. */
  ui?: unknown;
}

export interface UnsupportedComfyNode {
  id: string;
  classType: string;
  reason: string;
}

export interface ComfyImportReport {
  /** StepFlow node ids created, in the graph's node order (left to right). */
  imported: string[];
  /** Nodes left out; edges to and from them are dropped (and listed in warnings). */
  unsupported: UnsupportedComfyNode[];
  /** Everything carried over approximately or not at all, one readable line each. */
  warnings: string[];
  /** ComfyUI node id -> StepFlow node id. */
  nodeIds: Record<string, string>;
}

export interface ComfyImportResult {
  graph: Graph;
  report: ComfyImportReport;
}

type Link = [string, number];

function isLink(v: unknown): v is Link {
  return Array.isArray(v) && v.length === 2 && (typeof v[0] === 'string' || typeof v[0] === 'number') && Number.isInteger(v[1]);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The editor's save format: litegraph nodes with positions and a links table. */
export function isComfyUiFormat(json: unknown): boolean {
  return isObject(json) && Array.isArray(json.nodes) && ('last_node_id' in json || Array.isArray(json.links));
}

/** The API format as saved ("Save (API Format)") or as POSTed to /prompt ({ prompt: {...} }). */
export function comfyApiPrompt(json: unknown): Record<string, unknown> | null {
  if (!isObject(json)) return null;
  const prompt = isObject(json.prompt) && !('class_type' in json.prompt) ? json.prompt : json;
  const values = Object.values(prompt);
  return values.length > 0 && values.some((v) => isObject(v) && typeof v.class_type === 'string') ? prompt : null;
}

const UI_FORMAT_MESSAGE =
  'this is a ComfyUI workflow in the editor (UI) format, which StepFlow cannot import. In ComfyUI, export it ' +
  'with "Save (API Format)" (menu Workflow > Export (API); older versions: enable dev mode options in the ' +
  'settings first) and import that file.';

/** Accepts the JSON text or the parsed object. Throws WorkflowImportError for anything not an API workflow. */
export function importComfyWorkflow(input: unknown, opts: ComfyImportOptions = {}): ComfyImportResult {
  let json = input;
  if (typeof input === 'string') {
    try {
      json = JSON.parse(input);
    } catch (e) {
      throw new WorkflowImportError('invalid_json', `not valid JSON (${(e as Error).message})`);
    }
  }
  if (isComfyUiFormat(json)) throw new WorkflowImportError('comfyui_ui_format', UI_FORMAT_MESSAGE);
  const prompt = comfyApiPrompt(json);
  if (!prompt) {
    throw new WorkflowImportError('not_a_workflow', 'not a ComfyUI API-format workflow: expected {"<id>": {"class_type": ..., "inputs": {...}}}');
  }
  const count = Object.keys(prompt).length;
  if (opts.maxNodes !== undefined && count > opts.maxNodes) {
    throw new WorkflowImportError('too_many_nodes', `the workflow has ${count} nodes; at most ${opts.maxNodes} can be imported here`);
  }
  return new ComfyImport(prompt, opts).run();
}

/** ComfyUI's id order ("2" before "10"); one collator, since localeCompare with options builds one per call. */
const byComfyId = new Intl.Collator('en', { numeric: true }).compare;

class ComfyImport {
  private readonly report: ComfyImportReport = { imported: [], unsupported: [], warnings: [], nodeIds: {} };
  /** Supported nodes by ComfyUI id, in ComfyUI id order. */
  private readonly supported = new Map<string, { node: ComfyApiNode; mapping: ComfyNodeMapping }>();
  private readonly all = new Map<string, ComfyApiNode>();

  constructor(prompt: Record<string, unknown>, private readonly opts: ComfyImportOptions) {
    const ids = Object.keys(prompt).sort(byComfyId);
    for (const id of ids) {
      const raw = prompt[id];
      if (!isObject(raw) || typeof raw.class_type !== 'string' || !isObject(raw.inputs)) {
        this.report.unsupported.push({ id, classType: isObject(raw) ? String(raw.class_type ?? '?') : '?', reason: 'not a ComfyUI node: class_type or inputs missing' });
        continue;
      }
      const node = raw as unknown as ComfyApiNode;
      this.all.set(id, node);
      const mapping = Object.hasOwn(COMFY_NODES, node.class_type) ? COMFY_NODES[node.class_type] : undefined;
      if (mapping) this.supported.set(id, { node, mapping });
      else this.report.unsupported.push({ id, classType: node.class_type, reason: `StepFlow has no ${node.class_type} node; rebuild that step with StepFlow nodes or leave it out` });
    }
  }

  run(): ComfyImportResult {
    const ids = this.assignIds();
    const nodes: GraphNode[] = [];
    const edges: GraphEdge[] = [];
    const warnings = new Map<string, string[]>();
    const colorNotes = new Map<string, string[]>();
    const colors = comfyUiNodeColors(this.opts.ui, (comfyId, m) => colorNotes.set(comfyId, [...colorNotes.get(comfyId) ?? [], m]));
    for (const [comfyId, { node, mapping }] of this.supported) {
      const id = ids.get(comfyId)!;
      const notes: string[] = [];
      warnings.set(id, notes);
      const warn = (m: string) => notes.push(`${id} (${node.class_type} ${comfyId}): ${m}`);
      const read = new Set<string>();
      const params = mapping.params({
        value: (name) => {
          read.add(name);
          const v = node.inputs[name];
          if (!isLink(v)) return v;
          warn(`param "${name}" is wired to node ${v[0]} (${this.all.get(String(v[0]))?.class_type ?? 'missing'}); StepFlow params are not wired, so its default is used`);
          return undefined;
        },
        source: (name) => {
          const v = node.inputs[name];
          return isLink(v) ? this.all.get(String(v[0])) : undefined;
        },
        warn,
        models: this.opts.models,
        ofClass: (classType) => [...this.all.values()].filter((n) => n.class_type === classType),
      });
      for (const k of Object.keys(params)) if (params[k] === undefined) delete params[k];
      const title = node._meta?.title;
      const color = colors.get(comfyId);
      for (const m of colorNotes.get(comfyId) ?? []) warn(m);
      nodes.push({
        id, type: mapping.type, typeVersion: 1, params,
        ...(typeof title === 'string' && title && title !== mapping.displayName ? { title: title.slice(0, 200) } : {}),
        ...(color ? { color } : {}),
      });
      for (const [input, v] of Object.entries(node.inputs)) {
        if (!isLink(v)) continue;
        const socket = Object.hasOwn(mapping.inputs, input) ? mapping.inputs[input] : undefined;
        if (!socket) {
          if (!read.has(input)) warn(`input "${input}" has no StepFlow equivalent; its link from node ${v[0]} is dropped`);
          continue;
        }
        const edge = this.edgeFrom(v, ids, warn, input);
        if (edge) edges.push({ from: edge, to: { node: id, input: socket } });
      }
      this.report.nodeIds[comfyId] = id;
    }
    this.noteLinksIntoUnsupported(ids, warnings);
    const positions = layoutByDepth({ nodes, edges });
    for (const n of nodes) n.position = positions.get(n.id);
    // Read order follows the picture: columns left to right, rows top to bottom.
    nodes.sort((a, b) => a.position!.x - b.position!.x || a.position!.y - b.position!.y);
    const rank = new Map(nodes.map((n, i) => [n.id, i]));
    edges.sort((a, b) => rank.get(a.to.node)! - rank.get(b.to.node)!);
    this.report.imported = nodes.map((n) => n.id);
    this.report.warnings = nodes.flatMap((n) => warnings.get(n.id) ?? []);
    const meta: Record<string, unknown> = { source: 'comfyui' };
    if (this.opts.name) meta.name = this.opts.name;
    return { graph: { version: GRAPH_FORMAT_VERSION, nodes, edges, meta }, report: this.report };
  }

  /** Links from imported nodes into left-out ones vanish with them: say so at the imported end. */
  private noteLinksIntoUnsupported(ids: Map<string, string>, warnings: Map<string, string[]>): void {
    for (const [comfyId, node] of this.all) {
      if (this.supported.has(comfyId)) continue;
      for (const [input, v] of Object.entries(node.inputs)) {
        const src = isLink(v) ? this.supported.get(String(v[0])) : undefined;
        if (!src || !isLink(v)) continue;
        const id = ids.get(String(v[0]))!;
        const output = src.mapping.outputs[v[1]] ?? `#${v[1]}`;
        warnings.get(id)!.push(`${id} (${src.node.class_type} ${v[0]}): its ${output} output fed input "${input}" of unsupported node ${comfyId} (${node.class_type}); that link is dropped`);
      }
    }
  }

  private edgeFrom(link: Link, ids: Map<string, string>, warn: (m: string) => void, input: string): GraphEdge['from'] | null {
    const srcId = String(link[0]);
    const src = this.all.get(srcId);
    if (!src) {
      warn(`input "${input}" links to node ${srcId}, which is not in the workflow; connect it again`);
      return null;
    }
    const supported = this.supported.get(srcId);
    if (!supported) {
      warn(`input "${input}" came from unsupported node ${srcId} (${src.class_type}); its link is dropped, connect it again`);
      return null;
    }
    const output = supported.mapping.outputs[link[1]];
    if (!output) {
      warn(`input "${input}" uses output ${link[1]} of ${src.class_type} ${srcId}, which has no StepFlow equivalent; its link is dropped`);
      return null;
    }
    return { node: ids.get(srcId)!, output };
  }

  /** Readable ids (checkpoint, positive, sampler...) where only one node claims them, else <type>_<comfyId>. */
  private assignIds(): Map<string, string> {
    const hints = new Map<string, string | undefined>();
    const roles = this.promptRoles();
    for (const [comfyId, { node, mapping }] of this.supported) {
      const role = roles.get(comfyId);
      hints.set(comfyId, node.class_type === 'CLIPTextEncode' ? (role?.size === 1 ? [...role][0] : undefined) : mapping.idHint);
    }
    const claims = new Map<string, number>();
    for (const h of hints.values()) if (h) claims.set(h, (claims.get(h) ?? 0) + 1);
    const taken = new Set<string>();
    const ids = new Map<string, string>();
    // Per base, the next suffix to try: ids that sanitise alike ("a.1", "a 1", ...) take _2, _3, ... in
    // one pass, instead of each probing from _2 again (quadratic for thousands of colliding ids).
    const nextSuffix = new Map<string, number>();
    // Unique hints first, so a fallback id can never take a readable one.
    for (const [comfyId, h] of hints) {
      if (h && claims.get(h) === 1) {
        ids.set(comfyId, h);
        taken.add(h);
      }
    }
    for (const [comfyId, { mapping }] of this.supported) {
      if (ids.has(comfyId)) continue;
      const base = `${mapping.type}_${comfyId.replace(/[^\w-]+/g, '_')}`;
      let id = base;
      if (taken.has(id)) {
        let i = nextSuffix.get(base) ?? 2;
        while (taken.has(`${base}_${i}`)) i++;
        id = `${base}_${i}`;
        nextSuffix.set(base, i + 1);
      }
      ids.set(comfyId, id);
      taken.add(id);
    }
    return ids;
  }

  /** Which sampler inputs (positive / negative) each node feeds. */
  private promptRoles(): Map<string, Set<string>> {
    const roles = new Map<string, Set<string>>();
    for (const { node, mapping } of this.supported.values()) {
      if (mapping.type !== 'sampler') continue;
      for (const role of ['positive', 'negative']) {
        let v = node.inputs[role];
        // Through Apply ControlNet: the prompt that feeds its matching conditioning input plays the role.
        for (let hops = 0; isLink(v) && hops < this.supported.size; hops++) {
          const through = this.supported.get(String(v[0]));
          if (through?.mapping.type !== 'apply_controlnet') break;
          const socket = through.mapping.outputs[Number(v[1])];
          const input = Object.entries(through.mapping.inputs).find(([, to]) => to === socket)?.[0];
          if (!input) break;
          v = through.node.inputs[input];
        }
        if (!isLink(v)) continue;
        // A prompt feeding the sampler through FluxGuidance still plays its role.
        const via = this.all.get(String(v[0]));
        const src = via?.class_type === 'FluxGuidance' && isLink(via.inputs.conditioning) ? String(via.inputs.conditioning[0]) : String(v[0]);
        if (!roles.has(src)) roles.set(src, new Set());
        roles.get(src)!.add(role);
      }
    }
    return roles;
  }
}
