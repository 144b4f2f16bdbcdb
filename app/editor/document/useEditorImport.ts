'use client';
// Import into the open workflow: a dropped or picked file becomes the canvas graph (unsaved), after
// a confirmation when the canvas is not empty; the import report stays visible until dismissed.
import { useCallback, useEffect, useState } from 'react';
import { useTRPCClient } from '../../lib/trpc';
import { fileToBase64 } from '../../lib/workflow-file';
import { useDialogs } from '../../shell/dialogs';
import { useToast } from '../../shell/toast';
import { peekImportReport, takeImportReport, type ImportSummary } from './import-report-store';
import type { WorkflowDocument } from './useWorkflowDocument';

export function useEditorImport(workflowId: string, doc: WorkflowDocument, nodeCount: number) {
  const client = useTRPCClient();
  const notify = useToast();
  const dialogs = useDialogs();
  // A library import leaves its report for this editor; peek on render, take once mounted.
  const [summary, setSummary] = useState<ImportSummary | null>(() => peekImportReport(workflowId));
  useEffect(() => { takeImportReport(workflowId); }, [workflowId]);

  const importFile = useCallback(async (file: File) => {
    try {
      const res = await client.workflows.import.mutate({ name: file.name, base64: await fileToBase64(file) });
      const replace = nodeCount === 0 || await dialogs.confirm({
        title: 'Replace the canvas?',
        message: `Replace the ${nodeCount} node(s) on the canvas with “${res.name}” from ${file.name}? Save afterwards to keep it; Undo brings the old graph back.`,
        confirmLabel: 'Replace',
      });
      if (!replace) return;
      doc.load(res.graph);
      setSummary(res);
      notify(`Imported ${file.name}: save to keep it`, 'success');
    } catch (e) {
      notify(`Import failed: ${(e as Error).message}`, 'error');
    }
  }, [client, dialogs, doc, nodeCount, notify]);

  return { summary, dismiss: () => setSummary(null), importFile };
}
