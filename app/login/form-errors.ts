// Turns a failed sign-in/sign-up into what the form shows: a message under each field (from the server's zod
// check, `error.data.zodError.fieldErrors`) and one line for the rest (wrong password, taken name, rate limit).
export type AuthField = 'username' | 'password' | 'confirm';

export interface AuthFormErrors {
  fields: Partial<Record<AuthField, string>>;
  message: string | null;
}

/** The part of a tRPC client error the form reads (TRPCClientError has this shape; tests build it by hand). */
interface AuthErrorLike {
  message?: unknown;
  data?: {
    code?: unknown;
    retryAfter?: unknown;
    zodError?: { formErrors?: unknown; fieldErrors?: Record<string, unknown> } | null;
  } | null;
}

export const NO_ERRORS: AuthFormErrors = { fields: {}, message: null };

/** "45 s", "1 min", "2 min 5 s". */
export function waitText(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return `${s} s`;
  const rest = s % 60;
  return rest ? `${Math.floor(s / 60)} min ${rest} s` : `${s / 60} min`;
}

function firstString(v: unknown): string | undefined {
  return Array.isArray(v) ? v.find((m): m is string => typeof m === 'string') : undefined;
}

export function authFormErrors(error: unknown): AuthFormErrors {
  const e = (error ?? {}) as AuthErrorLike;
  const data = e.data ?? null;
  const text = typeof e.message === 'string' && e.message ? e.message : 'something went wrong';
  if (!data) return { fields: {}, message: `Could not reach the server (${text}). Check your connection and try again.` };
  const zod = data.zodError;
  if (zod) {
    const fields: AuthFormErrors['fields'] = {};
    for (const f of ['username', 'password'] as const) {
      const m = firstString(zod.fieldErrors?.[f]);
      if (m) fields[f] = m;
    }
    return { fields, message: firstString(zod.formErrors) ?? null };
  }
  if (data.code === 'TOO_MANY_REQUESTS') {
    const wait = typeof data.retryAfter === 'number' && data.retryAfter > 0 ? waitText(data.retryAfter) : 'a minute';
    return { fields: {}, message: `Too many failed sign-ins. Wait ${wait} and try again.` };
  }
  return { fields: {}, message: text };
}

/** Sign-up's own check before anything is sent: the two passwords must agree. */
export function signUpProblems(password: string, confirm: string): AuthFormErrors {
  return password === confirm ? NO_ERRORS : { fields: { confirm: 'the two passwords differ; type the same password twice' }, message: null };
}
