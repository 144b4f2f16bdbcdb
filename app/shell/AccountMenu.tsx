'use client';
// Who is signed in, in the top bar (AUTH=local only): the username, Admin (admins), Settings and Sign out; or a Sign in link
// that comes back to this very page (share token included). `compact` (the editor's crowded bar): one menu button
// with the username, holding the same links.
import { usePathname, useRouter } from 'next/navigation';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc';
import { loginHref } from '../login/next-path';
import { continueAsNewSession } from '../login/session-change';
import { GuardedLink } from './GuardedLink';
import { useDialogs } from './dialogs';
import { MoreMenu } from './MoreMenu';
import { useToast } from './toast';
import { confirmLeave, setUnsavedChanges } from './unsaved-guard';

export function AccountMenu({ compact = false }: { compact?: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const notify = useToast();
  const path = usePathname();
  const router = useRouter();
  const me = useQuery(trpc.auth.me.queryOptions());
  const dialogs = useDialogs();
  const signOut = useMutation(trpc.auth.signOut.mutationOptions({
    onSuccess: () => {
      setUnsavedChanges(false); // the user already agreed to leave
      continueAsNewSession(queryClient, '/');
    },
    onError: (e) => notify(`Sign out failed: ${e.message}`, 'error'),
  }));

  if (me.data?.auth !== 'local') return null;
  const user = me.data.user;
  if (!user) {
    if (path === '/login') return null;
    return (
      <div className="account-menu" data-testid="account-menu">
        <GuardedLink
          href={loginHref(path)}
          // The query string matters (a share link's token), and usePathname leaves it out.
          onClick={(e) => {
            e.preventDefault();
            router.push(loginHref(`${window.location.pathname}${window.location.search}`));
          }}
        >
          Sign in
        </GuardedLink>
      </div>
    );
  }
  const signOutNow = () => void confirmLeave(dialogs).then((leave) => { if (leave) signOut.mutate(); });
  if (compact) {
    return (
      <div className="account-menu compact" data-testid="account-menu">
        <MoreMenu
          label={`Account: ${user.username}`}
          items={[
            ...(user.isAdmin ? [{ label: 'Admin', href: '/admin' }] : []),
            { label: 'Settings', href: '/settings' },
            { label: 'Sign out', onSelect: signOutNow, disabled: signOut.isPending || signOut.isSuccess },
          ]}
        >
          <span className="account-user" data-testid="signed-in-user">{user.username}</span>
          {user.isAdmin && <span className="badge" title="Administrator: may open every workflow">admin</span>}
        </MoreMenu>
      </div>
    );
  }
  return (
    <div className="account-menu" data-testid="account-menu">
      <span className="account-user" data-testid="signed-in-user">{user.username}</span>
      {user.isAdmin && <span className="badge" title="Administrator: may open every workflow">admin</span>}
      {user.isAdmin && <GuardedLink href="/admin" className={path.startsWith('/admin') ? 'active' : ''}>Admin</GuardedLink>}
      <GuardedLink href="/settings" className={path.startsWith('/settings') ? 'active' : ''}>Settings</GuardedLink>
      <button
        type="button" disabled={signOut.isPending || signOut.isSuccess}
        onClick={signOutNow}
      >
        Sign out
      </button>
    </div>
  );
}
