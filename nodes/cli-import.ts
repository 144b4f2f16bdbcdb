// What the headless runner reads besides StepFlow graph .json: the files the editor imports (a StepFlow PNG with its
// embedded graph, a ComfyUI API-format .json), through the same importer, with the import report as text.
import type { Graph } from './engine/graph';
import { WorkflowImportError, type InteropErrorCode } from './interop/errors';
import { importWorkflowFile, type WorkflowImportReport, type WorkflowSource } from './interop/import-file';
import { getCatalog } from './registry';
import type { ModelStore } from './runtime/models';

const SOURCE_LABEL: Record<WorkflowSource, string> = {
  png: 'StepFlow PNG (embedded graph)',
  stepflow: 'StepFlow graph',
  comfyui: 'ComfyUI API format',
};

export interface CliImport {
  graph: Graph;
  source: WorkflowSource;
  report: WorkflowImportReport;
}

/** A file the runner cannot read a workflow from; the message names the file and what the runner reads. */
export class CliImportError extends Error {
  constructor(readonly code: InteropErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliImportError';
  }
}

const ACCEPTED = 'the runner reads a StepFlow graph .json, a PNG saved by StepFlow (graph embedded) or a ComfyUI API-format .json';

export function importForCli(file: string, bytes: Uint8Array, models: ModelStore): CliImport {
  try {
    const imported = importWorkflowFile(file, bytes, {
      catalog: getCatalog(),
      models: { checkpoints: models.list('checkpoints'), loras: models.list('loras'), upscalers: models.list('upscalers'), controlnet: models.list('controlnet') },
      modelCheck: models,
    });
    return { graph: imported.graph, source: imported.source, report: imported.report };
  } catch (e) {
    if (e instanceof WorkflowImportError) throw new CliImportError(e.code, `${e.message} (${ACCEPTED})`, { cause: e });
    throw e;
  }
}

/** The report the editor shows after an import, one line each: what was read, left out, approximated or missing. */
export function importReportLines(file: string, imp: CliImport): string[] {
  const r = imp.report;
  const lines = [`import ${file}: ${SOURCE_LABEL[imp.source]}, ${r.imported.length} node(s)`];
  for (const u of r.unsupported) lines.push(`  unsupported: ${u.classType} (ComfyUI node ${u.id}): ${u.reason}`);
  for (const w of r.warnings) lines.push(`  warning: ${w}`);
  for (const t of r.unknownNodeTypes) lines.push(`  unknown node type: ${t}`);
  for (const p of r.problems.filter((x) => x.code === 'unknown_model')) {
    lines.push(`  missing model: ${p.message}`);
  }
  return lines;
}
