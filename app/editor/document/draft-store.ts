// A workflow's unsaved state in the browser (localStorage, one record per workflow): the canvas graph not yet saved
// as a version, and the seeds advanced after runs. It survives reloads and navigation; nothing here is a version.
import { graphSchema, type Graph } from '../../../nodes/engine/graph';

export interface WorkflowDraft {
  /** The saved version the canvas started from. */
  baseVersion: number;
  /**
   * That version as the editor knows it now (JSON of the canonical graph): seeds advanced after runs are written in
   * (not an edit), so the next run uses a new seed and the canvas is not "unsaved" for it.
   */
  baseline: string;
  /** The canvas; equal to the baseline when only seeds moved. */
  graph: Graph;
  /** When it was written (ms since the epoch), shown in the draft banner. */
  savedAt: number;
}

/** What the store needs of `window.localStorage` (a Map-backed fake in tests). */
export interface DraftStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export function draftKey(workflowId: string): string {
  return `stepflow:draft:${workflowId}`;
}

/** The stored draft, or null when there is none or it cannot be read (a broken record is removed). */
export function readDraft(storage: DraftStorage, workflowId: string): WorkflowDraft | null {
  const text = storage.getItem(draftKey(workflowId));
  if (text === null) return null;
  try {
    const raw = JSON.parse(text) as Partial<WorkflowDraft>;
    const graph = graphSchema.safeParse(raw.graph);
    const baseline = typeof raw.baseline === 'string' ? graphSchema.safeParse(JSON.parse(raw.baseline)) : null;
    if (!graph.success || !baseline?.success || !Number.isInteger(raw.baseVersion)) throw new Error('not a draft');
    return { baseVersion: raw.baseVersion!, baseline: raw.baseline!, graph: graph.data, savedAt: Number(raw.savedAt) || 0 };
  } catch {
    storage.removeItem(draftKey(workflowId));
    return null;
  }
}

/** Stores the draft, or removes it (null). A full or refused storage only loses the draft, never the editor. */
export function writeDraft(storage: DraftStorage, workflowId: string, draft: WorkflowDraft | null): boolean {
  try {
    if (draft) storage.setItem(draftKey(workflowId), JSON.stringify(draft));
    else storage.removeItem(draftKey(workflowId));
    return true;
  } catch {
    return false;
  }
}

/** What the editor opens with: the stored draft over the loaded version, when there is one. */
export interface OpeningState {
  graph: Graph;
  /** JSON of the graph the canvas is compared with to decide "unsaved". */
  baseline: string;
  /** The draft restored, if any: its canvas differs from the baseline (real edits). */
  restored: { savedAt: number; baseVersion: number } | null;
  /** The baseline is not the stored version exactly (seeds moved): keep the record even when nothing is edited. */
  seedsMoved: boolean;
}

/**
 * Opening a workflow at `version`: a draft made from that version brings back its canvas and advanced seeds; a draft
 * made from an older version brings back its canvas only, as unsaved changes over the current version (its seeds
 * belonged to the old one). `canonical` is the JSON the editor would save for a graph (positions filled in).
 */
export function openingState(
  version: { number: number; graph: Graph }, canonical: (g: Graph) => string, draft: WorkflowDraft | null,
): OpeningState {
  const stored = canonical(version.graph);
  if (!draft) return { graph: version.graph, baseline: stored, restored: null, seedsMoved: false };
  const baseline = draft.baseVersion === version.number ? draft.baseline : stored;
  const edited = canonical(draft.graph) !== baseline;
  return {
    graph: draft.graph,
    baseline,
    restored: edited ? { savedAt: draft.savedAt, baseVersion: draft.baseVersion } : null,
    seedsMoved: baseline !== stored,
  };
}
