'use client';
// The app's top bar: brand, page links, a slot for page-specific controls, and the account menu. One row that never
// wraps: the page links never shrink and stay on top; `compact` (the editor) folds the account links into a menu.
import type { ReactNode } from 'react';
import { usePathname } from 'next/navigation';
import { AccountMenu } from './AccountMenu';
import { GuardedLink } from './GuardedLink';
import { MonitorLink } from './MonitorLink';

export function TopNav({ children, compact = false }: { children?: ReactNode; compact?: boolean }) {
  const path = usePathname();
  return (
    <header className="topnav">
      <GuardedLink href="/" className="brand">StepFlow</GuardedLink>
      <nav>
        <GuardedLink href="/" className={path === '/' ? 'active' : ''}>Library</GuardedLink>
        <GuardedLink href="/runs" className={path.startsWith('/runs') ? 'active' : ''}>Runs</GuardedLink>
        <GuardedLink href="/gallery" className={path.startsWith('/gallery') ? 'active' : ''}>Gallery</GuardedLink>
        <MonitorLink />
      </nav>
      <div className="topnav-slot">{children}</div>
      <AccountMenu compact={compact} />
    </header>
  );
}
