'use client';
// /runs: the run history (optionally ?workflow=<id>; ?run=<id> opens one run above it).
import { Suspense } from 'react';
import { useSearchParams } from 'next/navigation';
import { RunsView } from './RunsView';

function RunsWithQuery() {
  const params = useSearchParams();
  return <RunsView initialWorkflowId={params.get('workflow') ?? undefined} openRunId={params.get('run') ?? undefined} />;
}

export default function RunsPage() {
  return (
    <Suspense>
      <RunsWithQuery />
    </Suspense>
  );
}
