'use client';
// Settings → API tokens: create a token (shown once, with Copy), list mine (name, prefix, created, last used),
// revoke after a confirmation. With AUTH=none it explains that the HTTP API needs no token.
import { useState } from 'react';
import Link from 'next/link';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc';
import { timeAgo } from '../lib/time-format';
import { ConfirmDialog } from '../shell/ConfirmDialog';
import { useToast } from '../shell/toast';

interface Created { name: string; token: string }

function NewToken({ created, onDone }: { created: Created; onDone(): void }) {
  const notify = useToast();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(created.token);
      notify('Token copied', 'success');
    } catch {
      document.querySelector<HTMLInputElement>('[data-testid="token-value"]')?.select();
      notify('Press Ctrl+C to copy the selected token');
    }
  };
  return (
    <div className="token-created" role="status" data-testid="token-created">
      <p><strong>Token “{created.name}” created.</strong> Copy it now: it will not be shown again.</p>
      <div className="token-created-row">
        <input readOnly value={created.token} onFocus={(e) => e.target.select()} aria-label="New API token" data-testid="token-value" />
        <button type="button" className="primary" onClick={() => void copy()} data-testid="token-copy">Copy</button>
        <button type="button" onClick={onDone} data-testid="token-done">Done</button>
      </div>
      <p className="muted">Use it as <code>Authorization: Bearer {'<token>'}</code>, e.g. <code>export STEPFLOW_TOKEN=…</code> for the curl examples in the editor&apos;s API tab.</p>
    </div>
  );
}

function TokenList() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const notify = useToast();
  const tokens = useQuery(trpc.tokens.list.queryOptions());
  const [name, setName] = useState('');
  const [created, setCreated] = useState<Created | null>(null);
  const [revoking, setRevoking] = useState<{ id: string; name: string } | null>(null);
  const refresh = () => queryClient.invalidateQueries(trpc.tokens.list.queryFilter());

  const create = useMutation(trpc.tokens.create.mutationOptions({
    onSuccess: (t) => {
      setCreated({ name: t.name, token: t.token });
      setName('');
      void refresh();
    },
    onError: (e) => notify(`Create failed: ${e.message}`, 'error'),
  }));
  const revoke = useMutation(trpc.tokens.revoke.mutationOptions({
    onSuccess: () => { void refresh(); notify('Token revoked', 'success'); },
    onError: (e) => notify(`Revoke failed: ${e.message}`, 'error'),
  }));
  const list = tokens.data ?? [];

  return (
    <>
      <form className="token-form" onSubmit={(e) => { e.preventDefault(); if (name.trim()) create.mutate({ name: name.trim() }); }}>
        <input
          value={name} onChange={(e) => setName(e.target.value)} maxLength={100} placeholder="token name, e.g. render script"
          aria-label="Token name" data-testid="token-name"
        />
        <button type="submit" className="primary" disabled={!name.trim() || create.isPending} data-testid="token-create">Create token</button>
      </form>
      {created && <NewToken created={created} onDone={() => setCreated(null)} />}
      {tokens.error && <p className="error" role="alert">Could not load your tokens: {tokens.error.message}</p>}
      {!tokens.isLoading && list.length === 0 && <p className="muted">No tokens yet.</p>}
      {list.length > 0 && (
        <table className="runs tokens" data-testid="tokens-table">
          <thead>
            <tr><th>Name</th><th>Token</th><th>Created</th><th>Last used</th><th /></tr>
          </thead>
          <tbody>
            {list.map((t) => (
              <tr key={t.id} data-testid="token-row" data-token-id={t.id}>
                <td>{t.name}</td>
                <td><code>{t.prefix}…</code></td>
                <td className="muted" title={new Date(t.createdAt).toLocaleString()}>{timeAgo(t.createdAt)}</td>
                <td className="muted" title={t.lastUsedAt ? new Date(t.lastUsedAt).toLocaleString() : undefined}>
                  {t.lastUsedAt ? timeAgo(t.lastUsedAt) : 'never'}
                </td>
                <td>
                  <button type="button" className="danger" onClick={() => setRevoking({ id: t.id, name: t.name })} data-testid="token-revoke">
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {revoking && (
        <ConfirmDialog
          title={`Revoke “${revoking.name}”?`}
          message="Scripts using this token get 401 Unauthorized from the next request on. This cannot be undone."
          confirmLabel="Revoke"
          onConfirm={() => { revoke.mutate({ id: revoking.id }); setRevoking(null); }}
          onCancel={() => setRevoking(null)}
        />
      )}
    </>
  );
}

/** The API tokens section of /settings. */
export function TokensSection({ auth, signedIn }: { auth: 'none' | 'local'; signedIn: boolean }) {
  let body;
  if (auth === 'none') {
    body = (
      <p className="muted" data-testid="tokens-not-needed">
        This server runs without accounts (AUTH=none), so the HTTP API needs no token: anyone who can reach it may call it.
        Set AUTH=local to require personal tokens.
      </p>
    );
  } else if (!signedIn) {
    body = (
      <p data-testid="tokens-sign-in">
        <Link href="/login?next=/settings">Sign in</Link> to manage your API tokens.
      </p>
    );
  } else body = <TokenList />;

  return (
    <section>
      <h2>API tokens</h2>
      <p className="muted">
        Personal tokens let scripts run your workflows through the HTTP API (<code>POST /api/workflows/&lt;id&gt;/runs</code>)
        as you. Only a hash is stored: a token is shown once, when you create it. Revoke any token you no longer use.
      </p>
      {body}
    </section>
  );
}
