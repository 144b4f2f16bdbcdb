'use client';
// Client-side providers: React Query + tRPC, the toast/status line and the in-app dialogs shared by every page.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { TRPCProvider, makeTRPCClient } from './lib/trpc';
import { DialogProvider } from './shell/dialogs';
import { ToastProvider } from './shell/toast';

export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(
    () => new QueryClient({ defaultOptions: { queries: { staleTime: 5_000, refetchOnWindowFocus: false, retry: 1 } } }),
  );
  const [trpcClient] = useState(makeTRPCClient);
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        <ToastProvider><DialogProvider>{children}</DialogProvider></ToastProvider>
      </TRPCProvider>
    </QueryClientProvider>
  );
}
