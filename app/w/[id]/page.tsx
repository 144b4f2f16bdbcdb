'use client';
// /w/<id>: the graph editor for one workflow.
import { useParams } from 'next/navigation';
import { Editor } from '../../editor/Editor';

export default function EditorPage() {
  const { id } = useParams<{ id: string }>();
  return <Editor workflowId={id} />;
}
