'use client';
// /new: an empty draft in the editor. Nothing is stored until its first save, which creates the workflow and moves the
// address to /w/<id>; leaving without saving leaves nothing in the library.
import { Editor } from '../editor/Editor';

export default function NewWorkflowPage() {
  return <Editor />;
}
