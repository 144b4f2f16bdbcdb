// Workflow files in the browser: a dropped/picked file read for workflows.import, and a graph
// downloaded as a StepFlow .json (the graph exactly as saved, `version` included).
import type { Graph } from '../../nodes/engine/graph';

/** The first file of a drop, or null when the drag carried no file (e.g. a palette node). */
export function droppedFile(dt: DataTransfer | null): File | null {
  return dt && dt.files.length > 0 ? dt.files[0] : null;
}

export function isFileDrag(dt: DataTransfer | null): boolean {
  return !!dt && Array.from(dt.types).includes('Files');
}

export async function fileToBase64(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  // In slices: String.fromCharCode with millions of arguments overflows the call stack.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** A file name from a workflow name: letters, digits, dashes, underscores. */
export function graphFileName(name: string): string {
  return `${name.trim().replace(/[^\w-]+/g, '_').replace(/^_+|_+$/g, '') || 'workflow'}.json`;
}

export function downloadGraphJson(name: string, graph: Graph): void {
  const url = URL.createObjectURL(new Blob([JSON.stringify(graph, null, 2)], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = graphFileName(name);
  document.body.append(a);
  a.click();
  a.remove();
  // Revoked later: Chromium reads the blob after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
