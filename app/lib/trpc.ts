// The browser's tRPC client: typed by the server's AppRouter (types only), React Query bindings.
import { createTRPCClient } from '@trpc/client';
import { createTRPCContext } from '@trpc/tanstack-react-query';
import type { inferRouterOutputs, inferRouterInputs } from '@trpc/server';
import type { AppRouter } from '../../server/routers/index';
import { stepflowLinks } from './trpc-links';

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type RouterInputs = inferRouterInputs<AppRouter>;

export function makeTRPCClient() {
  return createTRPCClient<AppRouter>({
    links: stepflowLinks({ url: '/api/trpc' }),
  });
}
