// How every tRPC client of StepFlow talks to /api/trpc (the browser's, and the test harness's so tests speak the
// same way): queries and mutations batched at most TRPC_BATCH_MAX_CALLS per request, auth.* calls each in their
// own request — the server refuses anything else (server/http/trpc-batch-limit.ts).
import { httpBatchLink, httpLink, splitLink, type HTTPHeaders, type TRPCLink } from '@trpc/client';
import superjson from 'superjson';
import type { AppRouter } from '../../server/routers/index';

/** Same number as the server's TRPC_BATCH_MAX_CALLS (server/http/trpc-batch-limit.ts). */
export const TRPC_BATCH_MAX_CALLS = 10;

export interface StepflowLinkOptions {
  url: string;
  headers?: () => HTTPHeaders;
  fetch?: Parameters<typeof httpLink>[0]['fetch'];
}

export function stepflowLinks(opts: StepflowLinkOptions): TRPCLink<AppRouter>[] {
  const common = { url: opts.url, transformer: superjson, headers: opts.headers, fetch: opts.fetch };
  return [splitLink({
    condition: (op) => op.path.startsWith('auth.'),
    true: httpLink(common),
    false: httpBatchLink({ ...common, maxItems: TRPC_BATCH_MAX_CALLS }),
  })];
}
