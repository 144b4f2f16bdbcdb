// Caps tRPC HTTP batches (`/api/trpc/a,b,c?batch=1`): one request must not carry an unbounded number of calls
// (each may hash a password or query the database), and auth.* calls never ride in a batch, so every sign-in is
// its own HTTP request in front of the limiters and any proxy's request limits. The browser's links
// (app/lib/trpc-links.ts) split batches at the same size and send auth.* calls alone.
import type { TRPCRequestInfo } from '@trpc/server/http';
import { TRPCError } from '@trpc/server';

export const TRPC_BATCH_MAX_CALLS = 10;

/** Throws BAD_REQUEST (HTTP 400, for every call of the batch) naming the rule that was broken. */
export function checkTrpcBatch(info: Pick<TRPCRequestInfo, 'isBatchCall' | 'calls'>): void {
  if (!info.isBatchCall) return;
  if (info.calls.length > TRPC_BATCH_MAX_CALLS) {
    throw new TRPCError({
      code: 'BAD_REQUEST',
      message: `a tRPC batch may hold at most ${TRPC_BATCH_MAX_CALLS} calls; this one has ${info.calls.length}: send fewer at once`,
    });
  }
  const auth = info.calls.find((c) => c.path.startsWith('auth.'));
  if (auth) {
    throw new TRPCError({
      code: 'BAD_REQUEST',
      message: `${auth.path} cannot be batched: send auth.* calls one per request (without ?batch=1)`,
    });
  }
}
