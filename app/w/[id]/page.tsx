'use client';
// /w/<id>: the graph editor for one workflow. `?share=<token>` opens a link-shared workflow; `?v=<n>` shows
// version n read-only; `?run=<runId>` opens the graph that run executed.
import { Suspense } from 'react';
import { useParams, useSearchParams } from 'next/navigation';
import { Editor } from '../../editor/Editor';

function EditorRoute() {
  const { id } = useParams<{ id: string }>();
  const search = useSearchParams();
  const shareToken = search.get('share') || undefined;
  const v = Number(search.get('v'));
  const version = Number.isInteger(v) && v > 0 ? v : undefined;
  const runId = search.get('run') || undefined;
  return <Editor key={`${id}@${version ?? 'latest'}#${runId ?? ''}`} workflowId={id} shareToken={shareToken} version={version} runId={runId} />;
}

export default function EditorPage() {
  // useSearchParams needs a Suspense boundary in the app router.
  return <Suspense fallback={null}><EditorRoute /></Suspense>;
}
