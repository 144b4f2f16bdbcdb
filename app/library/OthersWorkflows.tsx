'use client';
// Other people's workflows: the Shared with link tab (links I opened, reopened with their token) and the
// Explore tab (everybody's public ones). Both open and fork; a fork lands in my library and opens at once.
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { markFreshCopy } from '../editor/document/fresh-copy';
import { useTRPC } from '../lib/trpc';
import { useToast } from '../shell/toast';
import { loginHref } from '../login/next-path';
import { searchInput } from './library-url';
import { SignInPrompt } from './SignInPrompt';
import { WorkflowCard, type WorkflowSummary } from './WorkflowCard';

interface PanelProps {
  q: string;
  signedIn: boolean;
  /** This library page's address, to come back to after signing in to fork. */
  here: string;
  onTagClick(tag: string): void;
}

export function SharedWorkflows({ q, signedIn, here, onTagClick }: PanelProps) {
  const trpc = useTRPC();
  const shared = useQuery({
    ...trpc.workflows.shared.queryOptions(searchInput(q), { staleTime: 0, placeholderData: keepPreviousData }),
    enabled: signedIn,
  });
  if (!signedIn) return <SignInPrompt why="Workflows shared with you by link are remembered in your account once you open them." />;
  return (
    <ForkableGrid
      tab="shared" here={here} signedIn onTagClick={onTagClick}
      items={shared.data?.map((w) => ({ workflow: w, href: `/w/${w.id}?share=${encodeURIComponent(w.shareToken)}`, shareToken: w.shareToken }))}
      loading={shared.isLoading} error={shared.error?.message}
      empty={q.trim()
        ? `Nothing shared with you matches “${q.trim()}”.`
        : 'Nothing shared with you yet. When someone sends you a share link, open it while signed in and the workflow is kept here.'}
    />
  );
}

export function ExploreWorkflows({ q, signedIn, here, onTagClick }: PanelProps) {
  const trpc = useTRPC();
  const explore = useQuery(trpc.workflows.explore.queryOptions(searchInput(q), { staleTime: 0, placeholderData: keepPreviousData }));
  return (
    <ForkableGrid
      tab="explore" here={here} signedIn={signedIn} onTagClick={onTagClick}
      items={explore.data?.map((w) => ({ workflow: w, href: `/w/${w.id}` }))}
      loading={explore.isLoading} error={explore.error?.message}
      empty={q.trim()
        ? `No public workflow matches “${q.trim()}”. Try fewer words, or a #tag.`
        : 'No public workflows yet. Make one of yours public from Share in the editor and it appears here for everyone.'}
    />
  );
}

interface GridProps {
  tab: 'shared' | 'explore';
  here: string;
  signedIn: boolean;
  items: { workflow: WorkflowSummary; href: string; shareToken?: string }[] | undefined;
  loading: boolean;
  error: string | undefined;
  empty: string;
  onTagClick(tag: string): void;
}

function ForkableGrid({ tab, here, signedIn, items, loading, error, empty, onTagClick }: GridProps) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const notify = useToast();
  const fork = useMutation(trpc.workflows.fork.mutationOptions({
    onSuccess: (w) => {
      void queryClient.invalidateQueries(trpc.workflows.list.queryFilter());
      markFreshCopy(w.id);
      router.push(`/w/${w.id}`);
    },
    onError: (e) => {
      if (e.data?.code === 'UNAUTHORIZED') router.push(loginHref(here));
      else notify(`Fork failed: ${e.message}`, 'error');
    },
  }));
  const forking = fork.isPending ? fork.variables?.id : undefined;

  return (
    <>
      {loading && <p className="muted">Loading…</p>}
      {error && <p className="error" role="alert">Could not load workflows: {error}</p>}
      {items?.length === 0 && <p className="muted" data-testid="library-empty">{empty}</p>}
      <div className="card-grid" data-testid="workflow-list" data-tab={tab}>
        {items?.map(({ workflow: w, href, shareToken }) => (
          <WorkflowCard
            key={w.id} workflow={w} href={href} showOwner onTagClick={onTagClick}
            actions={(
              <>
                <Link href={href} className="button">Open</Link>
                <button
                  type="button" disabled={forking !== undefined}
                  title={signedIn ? 'Copy it into your library and open the copy' : 'Sign in to fork it into your library'}
                  onClick={() => (signedIn ? fork.mutate({ id: w.id, shareToken }) : router.push(loginHref(here)))}
                >
                  {forking === w.id ? 'Forking…' : 'Fork'}
                </button>
              </>
            )}
          />
        ))}
      </div>
    </>
  );
}
