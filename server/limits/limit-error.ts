// A request refused by one of the configured limits (env.ts "Limits" block): the tRPC error it becomes, with the
// variable's name and value kept so the HTTP API can report them as fields too.
import { TRPCError } from '@trpc/server';

export class LimitExceededError extends Error {
  constructor(readonly limit: string, readonly value: number, message: string) {
    super(message);
    this.name = 'LimitExceededError';
  }
}

type LimitCode = 'BAD_REQUEST' | 'TOO_MANY_REQUESTS' | 'PAYLOAD_TOO_LARGE';

/** A TRPCError whose message names the limit and its value, e.g. "MAX_BATCH_COUNT (100): …". */
export function limitError(code: LimitCode, limit: string, value: number, message: string): TRPCError {
  return new TRPCError({ code, message, cause: new LimitExceededError(limit, value, message) });
}
