'use client';
// The owner's Share dialog: who can see the workflow (private / anyone with the link / public in Explore),
// the link to copy, and replacing or revoking it (the old link stops working at once).
import { useEffect, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useTRPC, useTRPCClient } from '../../lib/trpc';
import { useToast } from '../../shell/toast';
import { shareUrl, type Visibility } from '../document/workflow-access';

interface Props {
  workflowId: string;
  name: string;
  visibility: Visibility;
  shareToken: string | null;
  onChanged(visibility: Visibility, shareToken: string | null): void;
  onClose(): void;
}

const CHOICES: { value: Visibility; label: string; hint: string }[] = [
  { value: 'private', label: 'Private', hint: 'Only you (and admins).' },
  { value: 'link', label: 'Anyone with the link', hint: 'Signed-in people holding the link can view, run and fork it.' },
  { value: 'public', label: 'Public', hint: 'Listed in Explore for everyone; anyone can view it, signed-in people can run and fork it.' },
];

export function ShareDialog({ workflowId, name, visibility, shareToken, onChanged, onClose }: Props) {
  const client = useTRPCClient();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const notify = useToast();
  const ref = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  // The choice shows at once; it reverts if the server refuses it.
  const [chosen, setChosen] = useState<Visibility | null>(null);
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);

  const apply = async (what: string, call: () => Promise<{ visibility: Visibility; shareToken: string | null }>) => {
    setBusy(true);
    try {
      const res = await call();
      onChanged(res.visibility, res.shareToken);
      setCopied(false);
      void queryClient.invalidateQueries(trpc.workflows.list.queryFilter());
      void queryClient.invalidateQueries(trpc.workflows.get.queryFilter({ id: workflowId }));
    } catch (e) {
      notify(`${what} failed: ${(e as Error).message}`, 'error');
    } finally {
      setBusy(false);
      setChosen(null);
    }
  };

  const link = shareToken ? shareUrl(window.location.origin, workflowId, shareToken) : null;
  const copy = async () => {
    if (!link) return;
    try {
      await navigator.clipboard.writeText(link);
      setCopied(true);
    } catch {
      // Without clipboard permission the user can still copy the selected text.
      document.querySelector<HTMLInputElement>('[data-testid="share-link"]')?.select();
      notify('Press Ctrl+C to copy the selected link');
    }
  };

  return (
    <dialog ref={ref} className="confirm-dialog share-dialog" aria-labelledby="share-title" onCancel={(e) => { e.preventDefault(); onClose(); }}>
      <h2 id="share-title">Share “{name}”</h2>
      <fieldset className="share-choices" disabled={busy}>
        <legend>Who can see it</legend>
        {CHOICES.map((c) => (
          <label key={c.value} className="share-choice">
            <input
              type="radio" name="visibility" value={c.value} checked={(chosen ?? visibility) === c.value}
              onChange={() => {
                setChosen(c.value);
                void apply('Changing visibility', () => client.workflows.setVisibility.mutate({ id: workflowId, visibility: c.value }));
              }}
            />
            <span><strong>{c.label}</strong><br /><span className="muted">{c.hint}</span></span>
          </label>
        ))}
      </fieldset>
      {visibility === 'link' && link && (
        <div className="share-link">
          <input readOnly value={link} aria-label="Share link" data-testid="share-link" onFocus={(e) => e.target.select()} />
          <button type="button" onClick={() => void copy()}>{copied ? 'Copied' : 'Copy link'}</button>
        </div>
      )}
      {shareToken && (
        <div className="dialog-actions share-link-actions">
          <button
            type="button" disabled={busy}
            onClick={() => void apply('New link', () => client.workflows.regenerateShareLink.mutate({ id: workflowId }))}
            title="Make a new link; the current one stops working"
          >
            New link
          </button>
          <button
            type="button" className="danger" disabled={busy}
            onClick={() => void apply('Revoking the link', () => client.workflows.revokeShareLink.mutate({ id: workflowId }))}
            title="The link stops working; a link-shared workflow becomes private"
          >
            Revoke link
          </button>
        </div>
      )}
      <div className="dialog-actions">
        <button type="button" onClick={onClose} autoFocus>Done</button>
      </div>
    </dialog>
  );
}
