// One entry point for a workflow file a user drops or uploads: a PNG with an embedded graph (StepFlow's
// or ComfyUI's prompt), a StepFlow graph .json of any format version, or a ComfyUI API-format .json.
import type { Graph } from '../engine/graph';
import { validateGraph, type GraphProblem, type ValidateOptions } from '../engine/validate';
import { comfyApiPrompt, importComfyWorkflow, isComfyUiFormat, type KnownModels, type UnsupportedComfyNode } from './comfyui';
import { WorkflowImportError } from './errors';
import { migrateGraph } from './migrate';
import { isPng, readPngTextEntries } from './png-chunks';
import { extractGraph, type EmbeddedRun } from './png-graph';

export type WorkflowSource = 'png' | 'stepflow' | 'comfyui';

export interface WorkflowImportReport {
  /** Node ids of the imported graph. */
  imported: string[];
  /** ComfyUI nodes left out (empty for StepFlow sources). */
  unsupported: UnsupportedComfyNode[];
  warnings: string[];
  /** Node types this server does not know (or knows only in an older version), by name. */
  unknownNodeTypes: string[];
  /** Everything validateGraph reports; the graph is still returned so the editor can show and fix it. */
  problems: GraphProblem[];
}

export interface WorkflowImportOptions {
  /** The node catalog to validate against (getCatalog() on the server, the served catalog in the editor). */
  catalog: ValidateOptions['catalog'];
  /** Installed model names, for mapping ComfyUI file names. */
  models?: KnownModels;
  /** Existence check for model params (validateGraph's `models`). */
  modelCheck?: ValidateOptions['models'];
  /** Larger files are refused (too_many_nodes / too_many_edges) before they are converted or validated. */
  limits?: { maxNodes: number; maxEdges: number };
}

export interface ImportedWorkflow {
  graph: Graph;
  source: WorkflowSource;
  report: WorkflowImportReport;
  /** Run details embedded beside a StepFlow graph in a PNG. */
  extra?: EmbeddedRun;
}

/** ComfyUI writes the API-format graph as "prompt" and the editor graph as "workflow". */
const COMFY_PROMPT_CHUNK = 'prompt';
const COMFY_UI_CHUNK = 'workflow';

function baseName(file: string): string {
  return (file.split(/[\\/]/).pop() ?? file).replace(/\.(json|png)$/i, '');
}

function parseJsonFile(bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    throw new WorkflowImportError('invalid_json', 'the file is neither a PNG nor UTF-8 JSON text');
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new WorkflowImportError('invalid_json', `not valid JSON (${(e as Error).message})`, undefined, { cause: e });
  }
}

function isStepflowGraph(json: unknown): boolean {
  return typeof json === 'object' && json !== null && Array.isArray((json as { nodes?: unknown }).nodes) && Array.isArray((json as { edges?: unknown }).edges);
}

interface Decoded {
  graph: Graph;
  source: WorkflowSource;
  unsupported: UnsupportedComfyNode[];
  warnings: string[];
  extra?: EmbeddedRun;
}

/** Counted on whatever arrays the file has, before anything walks them. */
function checkCounts(nodes: unknown, edges: unknown, limits: WorkflowImportOptions['limits']): void {
  if (!limits) return;
  if (Array.isArray(nodes) && nodes.length > limits.maxNodes) {
    throw new WorkflowImportError('too_many_nodes', `the workflow has ${nodes.length} nodes; at most ${limits.maxNodes} can be imported here`);
  }
  if (Array.isArray(edges) && edges.length > limits.maxEdges) {
    throw new WorkflowImportError('too_many_edges', `the workflow has ${edges.length} edges; at most ${limits.maxEdges} can be imported here`);
  }
}

function fromComfy(json: unknown, name: string, opts: WorkflowImportOptions, note?: string, ui?: unknown): Decoded {
  const { graph, report } = importComfyWorkflow(json, { models: opts.models, name, maxNodes: opts.limits?.maxNodes, ui });
  checkCounts(graph.nodes, graph.edges, opts.limits);
  return { graph, source: 'comfyui', unsupported: report.unsupported, warnings: note ? [note, ...report.warnings] : report.warnings };
}

function decodePng(bytes: Uint8Array, name: string, opts: WorkflowImportOptions): Decoded {
  const embedded = extractGraph(bytes);
  if (embedded) {
    checkCounts(embedded.graph.nodes, embedded.graph.edges, opts.limits);
    return { graph: embedded.graph, source: 'png', unsupported: [], warnings: [], extra: embedded.extra };
  }
  const entries = readPngTextEntries(bytes);
  const prompt = entries.find((e) => e.keyword === COMFY_PROMPT_CHUNK);
  if (prompt?.text !== undefined) {
    return fromComfy(prompt.text, name, opts, 'imported from the ComfyUI prompt embedded in the PNG', uiWorkflow(entries.find((e) => e.keyword === COMFY_UI_CHUNK)?.text));
  }
  throw new WorkflowImportError('no_embedded_graph', 'this PNG carries no workflow: only images saved by StepFlow (or ComfyUI) have one embedded');
}

/** The editor workflow beside a PNG's prompt, for node colours only: unreadable, it is simply not used. */
function uiWorkflow(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function decodeJson(bytes: Uint8Array, name: string, opts: WorkflowImportOptions): Decoded {
  const json = parseJsonFile(bytes);
  if (isComfyUiFormat(json)) return fromComfy(json, name, opts); // throws the "Save (API Format)" advice
  if (isStepflowGraph(json)) {
    const raw = json as { nodes: unknown; edges: unknown };
    checkCounts(raw.nodes, raw.edges, opts.limits);
    return { graph: migrateGraph(json), source: 'stepflow', unsupported: [], warnings: [] };
  }
  if (comfyApiPrompt(json)) return fromComfy(json, name, opts);
  throw new WorkflowImportError('not_a_workflow', 'not a workflow: expected a StepFlow graph ({"nodes", "edges"}), a ComfyUI API-format .json or a PNG with an embedded graph');
}

/**
 * True when the bytes are a StepFlow graph .json as it is (the format the engine reads directly); anything else a
 * user may hand over (a PNG, a ComfyUI API .json) goes through importWorkflowFile. Never throws.
 */
export function isStepflowGraphFile(name: string, bytes: Uint8Array): boolean {
  if (isPng(bytes) || /\.png$/i.test(name)) return false;
  try {
    return isStepflowGraph(parseJsonFile(bytes));
  } catch {
    return false;
  }
}

/**
 * Reads a workflow file by content (the name is for messages and the imported graph's name).
 * Throws WorkflowImportError (with the file name) when nothing importable is in it; otherwise returns
 * the graph with every validation problem, unknown node types by name, and the importer's notes.
 */
export function importWorkflowFile(name: string, bytes: Uint8Array, opts: WorkflowImportOptions): ImportedWorkflow {
  let decoded: Decoded;
  try {
    decoded = isPng(bytes) || /\.png$/i.test(name) ? decodePng(bytes, baseName(name), opts) : decodeJson(bytes, baseName(name), opts);
  } catch (e) {
    throw e instanceof WorkflowImportError ? e.withFile(name) : e;
  }
  const validation = validateGraph(decoded.graph, { catalog: opts.catalog, models: opts.modelCheck });
  const graph = validation.graph ?? decoded.graph;
  const typeOf = new Map(graph.nodes.map((n) => [n.id, n.type]));
  const unknownNodeTypes = [...new Set(validation.problems.filter((p) => p.code === 'unknown_node_type').map((p) => typeOf.get(p.nodeId ?? '') ?? '?'))];
  return {
    graph,
    source: decoded.source,
    report: {
      imported: graph.nodes.map((n) => n.id),
      unsupported: decoded.unsupported,
      warnings: decoded.warnings,
      unknownNodeTypes,
      problems: validation.problems,
    },
    ...(decoded.extra ? { extra: decoded.extra } : {}),
  };
}
