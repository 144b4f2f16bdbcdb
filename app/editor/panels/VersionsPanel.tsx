'use client';
// The workflow's saved versions, newest first, with author and message: each can be opened read-only or
// (by the owner) restored, which appends a new version; and a diff of any two (or one against the canvas).
import { useState } from 'react';
import Link from 'next/link';
import { useQuery } from '@tanstack/react-query';
import type { Graph } from '../../../nodes/engine/graph';
import { useTRPC } from '../../lib/trpc';
import { VersionDiff, type DiffSide } from './VersionDiff';
import { workflowHref } from '../document/workflow-access';

interface Props {
  workflowId: string;
  current: number;
  /** The version on the canvas when it is an old one opened read-only. */
  viewing: number | null;
  canEdit: boolean;
  shareToken?: string;
  /** The graph on the canvas now (possibly unsaved), for "compare with canvas". */
  canvasGraph: Graph;
  onRestore(version: number): void;
}

export function VersionsPanel({ workflowId, current, viewing, canEdit, shareToken, canvasGraph, onRestore }: Props) {
  const trpc = useTRPC();
  const versions = useQuery(trpc.workflows.versions.queryOptions({ id: workflowId, shareToken }));
  const [from, setFrom] = useState<DiffSide | null>(null);
  const [to, setTo] = useState<DiffSide | null>(null);
  if (versions.isLoading) return <p className="muted">Loading versions…</p>;
  if (versions.error) return <p className="error">Could not load versions: {versions.error.message}</p>;
  const list = versions.data ?? [];
  // Default: the previous version against the newest one (or the canvas when there is only one).
  const defaultFrom: DiffSide = list[1]?.number ?? list[0]?.number ?? 'canvas';
  const a = from ?? defaultFrom;
  const b = to ?? (list.length > 1 ? list[0].number : 'canvas');
  const option = (v: DiffSide) => (v === 'canvas' ? 'canvas (current)' : `v${v}`);
  const sides: DiffSide[] = ['canvas', ...list.map((v) => v.number)];
  const pick = (setter: (v: DiffSide) => void) => (value: string) => setter(value === 'canvas' ? 'canvas' : Number(value));

  return (
    <div className="versions-panel">
      <div className="version-compare">
        <label>
          Compare <select aria-label="Diff from" value={String(a)} onChange={(e) => pick(setFrom)(e.target.value)}>
            {sides.map((s) => <option key={s} value={String(s)}>{option(s)}</option>)}
          </select>
        </label>
        <label>
          with <select aria-label="Diff to" value={String(b)} onChange={(e) => pick(setTo)(e.target.value)}>
            {sides.map((s) => <option key={s} value={String(s)}>{option(s)}</option>)}
          </select>
        </label>
        <VersionDiff workflowId={workflowId} shareToken={shareToken} from={a} to={b} canvasGraph={canvasGraph} />
      </div>
      <ol className="versions" data-testid="versions">
        {list.map((v) => (
          <li key={v.number} className={v.number === (viewing ?? current) ? 'current' : ''} data-testid={`version-${v.number}`}>
            <div>
              <strong>v{v.number}</strong>
              {v.author && <span className="version-author"> by {v.author}</span>}
              {' '}<span className="muted">{new Date(v.createdAt).toLocaleString()}</span>
            </div>
            {v.message && <div className="version-message">{v.message}</div>}
            <div className="version-actions">
              {v.number !== (viewing ?? current) && (
                <Link className="button" href={workflowHref(workflowId, { shareToken, version: v.number === list[0]?.number ? undefined : v.number })}>
                  {v.number === list[0]?.number ? 'Open latest' : `View v${v.number}`}
                </Link>
              )}
              {canEdit && v.number !== current && (
                <button type="button" onClick={() => onRestore(v.number)}>Restore v{v.number}</button>
              )}
            </div>
          </li>
        ))}
      </ol>
    </div>
  );
}
