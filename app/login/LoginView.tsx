'use client';
// The login page: sign in or create an account, then back to `?next=`. Without accounts (AUTH=none) it says so;
// when already signed in it says who, with Sign out.
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc';
import { TopNav } from '../shell/TopNav';
import { LoginForm } from './LoginForm';
import { safeNext } from './next-path';
import { continueAsNewSession } from './session-change';

export function LoginView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const next = safeNext(useSearchParams().get('next'));
  const me = useQuery(trpc.auth.me.queryOptions());
  const signOut = useMutation(trpc.auth.signOut.mutationOptions({
    onSuccess: () => continueAsNewSession(queryClient, '/'),
  }));

  let body;
  if (me.isLoading) {
    body = <p className="muted">Loading…</p>;
  } else if (me.error) {
    body = <p className="error" role="alert">Could not reach the server: {me.error.message}. Reload the page to try again.</p>;
  } else if (me.data?.auth === 'none') {
    body = (
      <div className="login-note" data-testid="accounts-off">
        <h1>No sign-in needed</h1>
        <p>Accounts are off on this server (AUTH=none): everything here belongs to its one user.</p>
        <p className="muted">To have accounts, the server admin starts StepFlow with AUTH=local.</p>
        <Link href="/" className="button primary">Go to the library</Link>
      </div>
    );
  } else if (me.data?.user) {
    body = (
      <div className="login-note" data-testid="already-signed-in">
        <h1>You are signed in</h1>
        <p>Signed in as <strong>{me.data.user.username}</strong>.</p>
        <div className="login-actions">
          <Link href={next} className="button primary">{next === '/' ? 'Go to the library' : 'Continue'}</Link>
          <button type="button" onClick={() => signOut.mutate()} disabled={signOut.isPending || signOut.isSuccess}>Sign out</button>
        </div>
        {signOut.error && <p className="error" role="alert">Sign out failed: {signOut.error.message}</p>}
      </div>
    );
  } else {
    body = <LoginForm signupOpen={me.data?.signup !== 'closed'} onSignedIn={() => continueAsNewSession(queryClient, next)} />;
  }

  return (
    <div className="page">
      <TopNav />
      <main className="page-body login-page">{body}</main>
    </div>
  );
}
