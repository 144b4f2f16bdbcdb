'use client';
// Admin → Accounts: every user with their workflows, runs and signed-in browsers; create an account (the way in
// when SIGNUP=closed), set a new password (ends their sessions), grant or take admin rights, delete (their
// workflows move to you). Anyone else sees why they cannot be here.
import { useState, type FormEvent } from 'react';
import Link from 'next/link';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc';
import { timeAgo } from '../lib/time-format';
import { ConfirmDialog } from '../shell/ConfirmDialog';
import { TopNav } from '../shell/TopNav';
import { useToast } from '../shell/toast';

type Pending = { kind: 'delete' | 'reset'; id: string; username: string };

function CreateUserForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const notify = useToast();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [isAdmin, setIsAdmin] = useState(false);
  const create = useMutation(trpc.admin.createUser.mutationOptions({
    onSuccess: (u) => {
      notify(`Created ${u.isAdmin ? 'admin' : 'account'} “${u.username}”: tell them their password`, 'success');
      setUsername(''); setPassword(''); setIsAdmin(false);
      void queryClient.invalidateQueries(trpc.admin.users.queryFilter());
    },
  }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({ username, password, isAdmin });
  };
  const fieldErrors = (create.error?.data?.zodError?.fieldErrors ?? {}) as Record<string, string[] | undefined>;
  return (
    <form className="admin-create" onSubmit={submit} data-testid="admin-create">
      <label>Username <input value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="off" /></label>
      <label>Password <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" /></label>
      <label className="admin-check"><input type="checkbox" checked={isAdmin} onChange={(e) => setIsAdmin(e.target.checked)} /> admin</label>
      <button type="submit" className="primary" disabled={create.isPending || !username || !password}>Create account</button>
      {create.error && (
        <p className="error" role="alert">{fieldErrors.username?.[0] ?? fieldErrors.password?.[0] ?? create.error.message}</p>
      )}
    </form>
  );
}

function ResetPassword({ pending, onDone }: { pending: Pending; onDone(): void }) {
  const trpc = useTRPC();
  const notify = useToast();
  const [password, setPassword] = useState('');
  const reset = useMutation(trpc.admin.resetPassword.mutationOptions({
    onSuccess: (r) => { notify(`New password set for ${pending.username}; ${r.sessionsEnded} session(s) ended`, 'success'); onDone(); },
  }));
  const fieldErrors = (reset.error?.data?.zodError?.fieldErrors ?? {}) as Record<string, string[] | undefined>;
  return (
    <form className="admin-reset" onSubmit={(e) => { e.preventDefault(); reset.mutate({ id: pending.id, password }); }}>
      <label>New password for <strong>{pending.username}</strong>{' '}
        <input type="password" autoFocus value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" />
      </label>
      <button type="submit" className="primary" disabled={!password || reset.isPending}>Set password</button>
      <button type="button" onClick={onDone}>Cancel</button>
      {reset.error && <p className="error" role="alert">{fieldErrors.password?.[0] ?? reset.error.message}</p>}
    </form>
  );
}

function UserTable({ meId }: { meId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const notify = useToast();
  const users = useQuery(trpc.admin.users.queryOptions());
  const [pending, setPending] = useState<Pending | null>(null);
  const refresh = () => queryClient.invalidateQueries(trpc.admin.users.queryFilter());
  const onError = (what: string) => (e: { message: string }) => notify(`${what} failed: ${e.message}`, 'error');
  const setAdmin = useMutation(trpc.admin.setAdmin.mutationOptions({ onSuccess: () => void refresh(), onError: onError('Changing admin rights') }));
  const remove = useMutation(trpc.admin.deleteUser.mutationOptions({
    onSuccess: (r) => { void refresh(); notify(`Account deleted; ${r.workflowsMoved} workflow(s) moved to your library`, 'success'); },
    onError: onError('Delete'),
  }));

  if (users.isLoading) return <p className="muted">Loading…</p>;
  if (users.error) return <p className="error" role="alert">Could not load accounts: {users.error.message}</p>;
  return (
    <>
      {pending?.kind === 'reset' && <ResetPassword pending={pending} onDone={() => setPending(null)} />}
      <table className="runs admin-users" data-testid="admin-users">
        <thead><tr><th>User</th><th>Role</th><th>Workflows</th><th>Runs</th><th>Signed in</th><th>Since</th><th /></tr></thead>
        <tbody>
          {users.data!.map((u) => (
            <tr key={u.id} data-testid="admin-user-row" data-username={u.username}>
              <td>{u.username}{u.id === meId ? ' (you)' : ''}</td>
              <td>{u.isAdmin ? 'admin' : 'user'}</td>
              <td>{u.workflows}</td>
              <td>{u.runs}</td>
              <td>{u.sessions ? `${u.sessions} browser(s)` : '—'}</td>
              <td className="muted" title={new Date(u.createdAt).toLocaleString()}>{timeAgo(u.createdAt)}</td>
              <td className="admin-actions">
                <button type="button" onClick={() => setPending({ kind: 'reset', id: u.id, username: u.username })}>New password</button>
                {u.id !== meId && (
                  <>
                    <button type="button" onClick={() => setAdmin.mutate({ id: u.id, isAdmin: !u.isAdmin })} disabled={setAdmin.isPending}>
                      {u.isAdmin ? 'Remove admin' : 'Make admin'}
                    </button>
                    <button type="button" className="danger" onClick={() => setPending({ kind: 'delete', id: u.id, username: u.username })}>Delete</button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {pending?.kind === 'delete' && (
        <ConfirmDialog
          title={`Delete “${pending.username}”?`}
          message="They are signed out and their API tokens stop working. Their workflows move to your library (private); their runs stay in the history."
          confirmLabel="Delete account"
          onCancel={() => setPending(null)}
          onConfirm={() => { remove.mutate({ id: pending.id }); setPending(null); }}
        />
      )}
    </>
  );
}

export function AdminUsersView() {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions());
  const user = me.data?.user ?? null;
  let body;
  if (me.isLoading) body = <p className="muted">Loading…</p>;
  else if (me.error) body = <p className="error" role="alert">Could not reach the server: {me.error.message}</p>;
  else if (me.data?.auth === 'none') body = <p className="muted">Accounts are off on this server (AUTH=none): there is nothing to administer.</p>;
  else if (!user) body = <p><Link href="/login?next=/admin">Sign in</Link> as an admin to manage accounts.</p>;
  else if (!user.isAdmin) body = <p className="muted">Only admins manage accounts.</p>;
  else {
    body = (
      <>
        <p className="muted">
          Sign-up is <strong>{me.data!.signup}</strong>{me.data!.signup === 'closed' ? ': people get accounts only from here.' : ': anyone can create an account on the sign-in page (SIGNUP=closed turns that off).'}
        </p>
        <h3>New account</h3>
        <CreateUserForm />
        <h3>Accounts</h3>
        <UserTable meId={user.id} />
      </>
    );
  }
  return (
    <div className="page">
      <TopNav />
      <main className="page-body settings">
        <h2>Accounts</h2>
        {body}
      </main>
    </div>
  );
}
