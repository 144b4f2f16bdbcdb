'use client';
// "Workflow: [all workflows ▾]": the filter the runs page and the gallery put above their lists (my workflows).
import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc';

/** `value` '' = all workflows. */
export function WorkflowFilter({ value, onChange }: { value: string; onChange(workflowId: string): void }) {
  const trpc = useTRPC();
  const workflows = useQuery(trpc.workflows.list.queryOptions());
  return (
    <label>
      Workflow{' '}
      <select aria-label="Filter by workflow" value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">all workflows</option>
        {workflows.data?.map((w) => <option key={w.id} value={w.id}>{w.name}</option>)}
      </select>
    </label>
  );
}
