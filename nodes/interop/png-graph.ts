// The graph that made an image, embedded in the PNG itself (iTXt "stepflow-graph", plus
// "stepflow-run" with the run's params and id), so dropping the image back in restores the workflow.
import type { Graph } from '../engine/graph';
import { WorkflowImportError } from './errors';
import { migrateGraph } from './migrate';
import { readPngTextEntries, setPngText, type PngTextEntry } from './png-chunks';

export const GRAPH_CHUNK = 'stepflow-graph';
export const RUN_CHUNK = 'stepflow-run';

export interface EmbeddedRun {
  /** Params the run actually used beyond the graph's (e.g. the seed a "random" control picked); shape is the caller's. */
  params?: Record<string, unknown>;
  runId?: string;
}

export interface ExtractedGraph {
  graph: Graph;
  extra: EmbeddedRun;
}

/** The PNG with the graph (and run details) embedded; replaces an earlier embedding, keeps the pixels. */
export function embedGraph(png: Uint8Array, graph: Graph, extra?: EmbeddedRun): Uint8Array {
  const entries: Record<string, string> = { [GRAPH_CHUNK]: JSON.stringify(graph) };
  if (extra && (extra.params !== undefined || extra.runId !== undefined)) {
    entries[RUN_CHUNK] = JSON.stringify({ params: extra.params, runId: extra.runId });
  }
  return setPngText(png, entries);
}

function chunkJson(entry: PngTextEntry): unknown {
  if (entry.text === undefined) {
    const why = entry.problem === 'compressed' ? 'is compressed, which StepFlow does not write or read' : entry.problem === 'crc' ? 'fails its CRC check (the file was damaged)' : 'is malformed';
    throw new WorkflowImportError('corrupt_graph_chunk', `the PNG's "${entry.keyword}" chunk ${why}`);
  }
  try {
    return JSON.parse(entry.text);
  } catch (e) {
    throw new WorkflowImportError('corrupt_graph_chunk', `the PNG's "${entry.keyword}" chunk is not valid JSON (${(e as Error).message})`, undefined, { cause: e });
  }
}

function readRun(entry: PngTextEntry | undefined): EmbeddedRun {
  if (!entry) return {};
  const json = chunkJson(entry);
  const ok = typeof json === 'object' && json !== null && !Array.isArray(json);
  const run = (ok ? json : {}) as Record<string, unknown>;
  const params = run.params;
  if (!ok || (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) || (run.runId !== undefined && typeof run.runId !== 'string')) {
    throw new WorkflowImportError('corrupt_graph_chunk', `the PNG's "${RUN_CHUNK}" chunk must be {"params"?: object, "runId"?: string}`);
  }
  const extra: EmbeddedRun = {};
  if (params !== undefined) extra.params = params as Record<string, unknown>;
  if (run.runId !== undefined) extra.runId = run.runId as string;
  return extra;
}

/**
 * The embedded graph (upgraded to the current format and schema-checked), or null when the PNG has
 * none. Throws invalid_png for bytes that are not a PNG and corrupt_graph_chunk for an unreadable chunk.
 */
export function extractGraph(png: Uint8Array): ExtractedGraph | null {
  const entries = readPngTextEntries(png);
  const graphEntry = entries.find((e) => e.keyword === GRAPH_CHUNK);
  if (!graphEntry) return null;
  const json = chunkJson(graphEntry);
  let graph: Graph;
  try {
    graph = migrateGraph(json);
  } catch (e) {
    if (e instanceof WorkflowImportError && e.code === 'invalid_graph') {
      throw new WorkflowImportError('corrupt_graph_chunk', `the PNG's "${GRAPH_CHUNK}" chunk holds ${e.message}`, undefined, { cause: e });
    }
    throw e;
  }
  return { graph, extra: readRun(entries.find((e) => e.keyword === RUN_CHUNK)) };
}
