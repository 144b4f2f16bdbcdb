'use client';
// The library: tabs (Mine, Shared with link, Explore, Templates) over one search box, New (a draft, stored on its first
// save), and import: a workflow file dropped on the page (or picked with Import…) becomes a new workflow, opened at once.
import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useTRPC, useTRPCClient } from '../lib/trpc';
import { droppedFile, fileToBase64, isFileDrag } from '../lib/workflow-file';
import { markFreshCopy } from '../editor/document/fresh-copy';
import { leaveImportReport } from '../editor/document/import-report-store';
import { loginHref } from '../login/next-path';
import { ImportButton } from '../shell/ImportButton';
import { TopNav } from '../shell/TopNav';
import { useToast } from '../shell/toast';
import { LibrarySearch } from './LibrarySearch';
import { LIBRARY_PANEL_ID, LibraryTabs, tabElementId } from './LibraryTabs';
import { libraryHref, tabsFor, tagSearch, type LibraryTab } from './library-url';
import { MyWorkflows } from './MyWorkflows';
import { ExploreWorkflows, SharedWorkflows } from './OthersWorkflows';
import { TemplateList } from './TemplateList';
import { useLibraryLocation } from './useLibraryLocation';

export function LibraryView() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const notify = useToast();
  const client = useTRPCClient();
  const me = useQuery(trpc.auth.me.queryOptions());
  // If the server cannot say, behave as the default single-user server: the lists will show the real error.
  const auth = me.data?.auth ?? (me.isError ? 'none' : undefined);
  const signedIn = auth === 'none' || Boolean(me.data?.user);
  const signedOut = auth === 'local' && !me.data?.user;
  const place = useLibraryLocation(auth);
  const [importing, setImporting] = useState(false);
  const refresh = () => queryClient.invalidateQueries(trpc.workflows.list.queryFilter());

  const create = useMutation(trpc.workflows.create.mutationOptions({
    onSuccess: (w) => {
      void refresh();
      // A template copy opens with its (unique) name selected, to be renamed at once.
      markFreshCopy(w.id);
      router.push(`/w/${w.id}`);
    },
    onError: (e) => {
      if (e.data?.code === 'UNAUTHORIZED') router.push(loginHref(place.href));
      else notify(`Create failed: ${e.message}`, 'error');
    },
  }));

  const importFile = async (file: File) => {
    if (signedOut) return router.push(loginHref(place.href));
    setImporting(true);
    try {
      const res = await client.workflows.import.mutate({ name: file.name, base64: await fileToBase64(file) });
      const w = await client.workflows.create.mutate({ name: res.name, graph: res.graph });
      leaveImportReport(w.id, res);
      void refresh();
      router.push(`/w/${w.id}`);
    } catch (e) {
      notify(`Import failed: ${(e as Error).message}`, 'error');
    } finally {
      setImporting(false);
    }
  };

  const tab = place.tab;
  const showTab = (t: LibraryTab) => place.selectTab(t);
  const searchTag = (tag: string) => place.search(tagSearch(tag));

  return (
    <div
      className="page" data-testid="library-drop"
      onDragOver={(e) => { if (isFileDrag(e.dataTransfer)) { e.preventDefault(); e.dataTransfer.dropEffect = 'copy'; } }}
      onDrop={(e) => {
        const file = droppedFile(e.dataTransfer);
        if (!file) return;
        e.preventDefault();
        void importFile(file);
      }}
    >
      <TopNav>
        <button type="button" className="primary" onClick={() => router.push(signedOut ? loginHref(place.href) : '/new')}>
          New
        </button>
        <ImportButton onFile={(f) => void importFile(f)} disabled={importing} />
      </TopNav>
      <main className="page-body library">
        <h1 className="library-title">Workflows</h1>
        {!auth || !tab ? (
          <p className="muted">Loading…</p>
        ) : (
          <>
            <div className="library-toolbar">
              <LibraryTabs tabs={tabsFor(auth)} selected={tab} onSelect={showTab} />
              <LibrarySearch value={place.q} onSearch={place.search} />
            </div>
            {me.error && <p className="error" role="alert">Could not ask the server who you are: {me.error.message}</p>}
            <section role="tabpanel" id={LIBRARY_PANEL_ID} aria-labelledby={tabElementId(tab)} data-testid={`library-panel-${tab}`}>
              {tab === 'mine' && (
                <MyWorkflows
                  q={place.q} signedOut={signedOut} showVisibility={auth === 'local'} onTagClick={searchTag}
                  onShowTemplates={() => showTab('templates')} onClearSearch={() => place.search('')}
                />
              )}
              {tab === 'shared' && <SharedWorkflows q={place.q} signedIn={signedIn} here={place.href} onTagClick={searchTag} />}
              {tab === 'explore' && <ExploreWorkflows q={place.q} signedIn={signedIn} here={place.href} onTagClick={searchTag} />}
              {tab === 'templates' && (
                <TemplateList
                  q={place.q} busy={create.isPending}
                  onUse={(t) => (signedOut
                    ? router.push(loginHref(libraryHref({ tab: 'templates' })))
                    : create.mutate({ name: t.name, templateFile: t.file }))}
                />
              )}
            </section>
          </>
        )}
      </main>
    </div>
  );
}
