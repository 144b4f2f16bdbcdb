'use client';
// /settings: the signed-in user's account (password) and personal API tokens for the HTTP API.
import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc';
import { TopNav } from '../shell/TopNav';
import { PasswordForm } from './PasswordForm';
import { TokensSection } from './TokensView';

export default function SettingsPage() {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions());
  const user = me.data?.user ?? null;
  return (
    <div className="page">
      <TopNav />
      <main className="page-body settings">
        {me.isLoading && <p className="muted">Loading…</p>}
        {me.error && <p className="error" role="alert">Could not reach the server: {me.error.message}</p>}
        {me.data?.auth === 'local' && user && (
          <section>
            <h2>Account</h2>
            <p>Signed in as <strong>{user.username}</strong>{user.isAdmin ? ' (admin)' : ''}.</p>
            <h3>Change password</h3>
            <PasswordForm />
          </section>
        )}
        {me.data && <TokensSection auth={me.data.auth} signedIn={user !== null} />}
      </main>
    </div>
  );
}
