// After signing in or out nothing cached for the previous person may survive: not React Query's data and not
// the Socket.io connection, whose access was settled by the cookie at its handshake. So the target loads afresh.
import type { QueryClient } from '@tanstack/react-query';
import { safeNext } from './next-path';

export function continueAsNewSession(queryClient: QueryClient, target: string): void {
  queryClient.clear();
  window.location.assign(safeNext(target));
}
