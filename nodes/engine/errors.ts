// Typed errors a node or the engine raises; a run reports `code` and the node id.

/** Thrown by a node for bad input it can name (param, file, shape): the user can fix it. */
export class NodeInputError extends Error {
  constructor(readonly code: string, message: string, readonly param?: string) {
    super(message);
    this.name = 'NodeInputError';
  }
}

/** Raised when the run's AbortSignal fires; never reported as a failure. */
export class RunCancelledError extends Error {
  readonly code = 'cancelled';
  constructor(readonly reason = 'cancelled by user') {
    super(reason);
    this.name = 'RunCancelledError';
  }
}

export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    const r = signal.reason;
    throw new RunCancelledError(typeof r === 'string' ? r : r instanceof Error ? r.message : 'cancelled by user');
  }
}

export function isCancellation(e: unknown, signal?: AbortSignal): boolean {
  return e instanceof RunCancelledError || (signal?.aborted ?? false);
}

/** A stable code for any thrown value: typed errors carry one, everything else is node_error. */
export function errorCode(e: unknown): string {
  const c = (e as { code?: unknown })?.code;
  return typeof c === 'string' && /^[a-z][a-z0-9_]*$/.test(c) ? c : 'node_error';
}

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return typeof e === 'string' ? e : JSON.stringify(e);
}
