// Hands an import report from the library (which creates the workflow) to the editor that opens it.
// Module state: client-side navigation keeps it; a reload drops it, which is fine for a one-off notice.
import type { RouterOutputs } from '../../lib/trpc';

export type ImportResult = RouterOutputs['workflows']['import'];
export type ImportSummary = Pick<ImportResult, 'name' | 'source' | 'report'>;

const pending = new Map<string, ImportSummary>();

export function leaveImportReport(workflowId: string, summary: ImportSummary): void {
  pending.set(workflowId, summary);
}

export function peekImportReport(workflowId: string): ImportSummary | null {
  return pending.get(workflowId) ?? null;
}

export function takeImportReport(workflowId: string): ImportSummary | null {
  const s = pending.get(workflowId) ?? null;
  pending.delete(workflowId);
  return s;
}
