'use client';
// The top bar's Monitor link, for those monitor.summary answers: everyone with AUTH=none, admins with AUTH=local.
import { usePathname } from 'next/navigation';
import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc';
import { GuardedLink } from './GuardedLink';

export function MonitorLink() {
  const trpc = useTRPC();
  const path = usePathname();
  const me = useQuery(trpc.auth.me.queryOptions());
  if (!me.data || (me.data.auth === 'local' && !me.data.user?.isAdmin)) return null;
  return <GuardedLink href="/monitor" className={path.startsWith('/monitor') ? 'active' : ''}>Monitor</GuardedLink>;
}
