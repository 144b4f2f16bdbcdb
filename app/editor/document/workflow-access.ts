// What the person looking at a workflow may do with it, and what the editor shows about where it came from.
export type Visibility = 'private' | 'link' | 'public';

export interface WorkflowAccess {
  authMode: 'none' | 'local';
  signedIn: boolean;
  /** The owner (or AUTH=none): may save, rename, share, restore. */
  canEdit: boolean;
  /** The token of the link this page was opened with (viewers of a link-shared workflow). */
  shareToken?: string;
  /** An older version shown read-only; null = the current version. */
  viewingVersion: number | null;
  currentVersion: number;
  ownerName: string | null;
  visibility: Visibility;
  /** The owner's current share token (null for everyone else). */
  ownerShareToken: string | null;
  forkedFrom: { id: string; name: string | null; version: number | null; viewable: boolean } | null;
  tags: string[];
  description: string;
}

export type EditorMode = 'edit' | 'view' | 'version';

/**
 * edit: the owner on the current version. view: someone else's workflow — change the canvas and run it as your own
 * run, but saving means forking. version: an old version, read-only for everyone.
 */
export function editorMode(a: Pick<WorkflowAccess, 'canEdit' | 'viewingVersion'>): EditorMode {
  if (a.viewingVersion !== null) return 'version';
  return a.canEdit ? 'edit' : 'view';
}

/** The URL of a workflow page, keeping the share token a viewer arrived with. */
export function workflowHref(id: string, opts: { shareToken?: string; version?: number } = {}): string {
  const q = new URLSearchParams();
  if (opts.shareToken) q.set('share', opts.shareToken);
  if (opts.version !== undefined) q.set('v', String(opts.version));
  const s = q.toString();
  return `/w/${encodeURIComponent(id)}${s ? `?${s}` : ''}`;
}

/** The link the owner hands out. */
export function shareUrl(origin: string, id: string, token: string): string {
  return `${origin}${workflowHref(id, { shareToken: token })}`;
}
