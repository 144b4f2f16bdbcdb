// Marks a workflow just made by Use template, Fork or New, so its editor opens with the name selected, ready to type
// over. Module state like import-report-store: client-side navigation keeps it, a reload rightly drops it.
const fresh = new Set<string>();

export function markFreshCopy(workflowId: string): void {
  fresh.add(workflowId);
}

export function isFreshCopy(workflowId: string): boolean {
  return fresh.has(workflowId);
}

export function forgetFreshCopy(workflowId: string): void {
  fresh.delete(workflowId);
}
