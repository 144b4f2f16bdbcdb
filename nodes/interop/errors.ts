// Typed errors of workflow import/export (ComfyUI files, PNG-embedded graphs, format versions).
// Each carries a stable code and, when known, the file it came from; messages say what to do.

export type InteropErrorCode =
  /** The text is not JSON. */
  | 'invalid_json'
  /** A ComfyUI workflow saved in the editor (UI) format instead of the API format. */
  | 'comfyui_ui_format'
  /** JSON, but neither a StepFlow graph nor a ComfyUI API workflow. */
  | 'not_a_workflow'
  /** Bytes that should be a PNG are not one (bad signature or truncated chunks). */
  | 'invalid_png'
  /** A PNG without a StepFlow graph (or ComfyUI prompt) in its text chunks. */
  | 'no_embedded_graph'
  /** The stepflow-graph / stepflow-run chunk is present but unreadable. */
  | 'corrupt_graph_chunk'
  /** A graph format version this build cannot read (newer, or not a version at all). */
  | 'unsupported_graph_version'
  /** A StepFlow graph that fails the graph schema. */
  | 'invalid_graph'
  /** More nodes (or edges) than the importer was allowed to take (the server's MAX_GRAPH_NODES / _EDGES). */
  | 'too_many_nodes'
  | 'too_many_edges';

export class WorkflowImportError extends Error {
  constructor(
    readonly code: InteropErrorCode,
    message: string,
    readonly file?: string,
    options?: { cause?: unknown },
  ) {
    super(file ? `${file}: ${message}` : message, options);
    this.name = 'WorkflowImportError';
  }

  /** The same error attributed to a file (importers below the file level do not know its name). */
  withFile(file: string): WorkflowImportError {
    if (this.file) return this;
    return new WorkflowImportError(this.code, this.message, file, { cause: this.cause });
  }
}
