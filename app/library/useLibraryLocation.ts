'use client';
// The open tab and the search, read from and written to the URL: a tab change is a history entry (back returns
// to the previous tab), a search edit replaces the current one (typing must not fill the history).
import { useRouter, useSearchParams } from 'next/navigation';
import { libraryHref, resolveTab, type AuthMode, type LibraryTab } from './library-url';

export interface LibraryLocation {
  /** null until the server said whether it has accounts (which tabs exist). */
  tab: LibraryTab | null;
  q: string;
  /** This page's address, for coming back after signing in. */
  href: string;
  selectTab(tab: LibraryTab): void;
  search(q: string): void;
}

export function useLibraryLocation(auth: AuthMode | undefined): LibraryLocation {
  const params = useSearchParams();
  const router = useRouter();
  const q = params.get('q') ?? '';
  const tab = auth ? resolveTab(params.get('tab'), auth) : null;
  const current = tab ?? resolveTab(params.get('tab'), 'local');
  return {
    tab,
    q,
    href: libraryHref({ tab: current, q }),
    selectTab: (next) => router.push(libraryHref({ tab: next, q }), { scroll: false }),
    search: (next) => router.replace(libraryHref({ tab: current, q: next }), { scroll: false }),
  };
}
