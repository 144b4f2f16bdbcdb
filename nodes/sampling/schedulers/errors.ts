// Typed errors of the scheduler library: bad config values, unknown names, misuse of a scheduler.

/** A config value is out of range or not one of the accepted values. */
export class SchedulerConfigError extends Error {
  constructor(
    readonly scheduler: string,
    readonly key: string,
    readonly value: unknown,
    readonly expected: string,
  ) {
    super(`${scheduler}: config "${key}" = ${show(value)} is invalid; expected ${expected}`);
    this.name = 'SchedulerConfigError';
  }
}

/** createScheduler() got a name that is neither a sampler alias nor a diffusers class name. */
export class UnknownSchedulerError extends Error {
  constructor(
    readonly requested: string,
    readonly validNames: readonly string[],
    readonly kind: 'scheduler' | 'schedule' = 'scheduler',
  ) {
    super(`unknown ${kind} "${requested}"; valid ${kind} names: ${validNames.join(', ')}`);
    this.name = 'UnknownSchedulerError';
  }
}

/** A scheduler was driven in an order diffusers would also reject (e.g. step before setTimesteps). */
export class SchedulerStateError extends Error {
  constructor(readonly scheduler: string, message: string) {
    super(`${scheduler}: ${message}`);
    this.name = 'SchedulerStateError';
  }
}

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `array(${v.length})`;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
