// Personal API tokens: `sf_` + 32 random bytes (base64url). Only their sha256 is stored, with a short
// display prefix; a request's identity comes from `Authorization: Bearer sf_…` or the session cookie.
import crypto from 'node:crypto';
import type { Db } from '../db';
import { userFromCookie, type AuthUser } from './session';

export const API_TOKEN_PREFIX = 'sf_';
/** What a user sees in the token list to tell tokens apart ("sf_AbCdEfG"). */
export const API_TOKEN_DISPLAY_CHARS = 10;
const TOKEN_SHAPE = /^sf_[A-Za-z0-9_-]{43}$/;
/** lastUsedAt is a hint for the user, not an audit log: one write per minute per token is plenty. */
const LAST_USED_RESOLUTION_MS = 60_000;

export interface NewApiToken {
  token: string;
  tokenHash: string;
  prefix: string;
}

export function hashApiToken(token: string): string {
  return crypto.createHash('sha256').update(token, 'utf8').digest('hex');
}

export function newApiToken(): NewApiToken {
  const token = API_TOKEN_PREFIX + crypto.randomBytes(32).toString('base64url');
  return { token, tokenHash: hashApiToken(token), prefix: token.slice(0, API_TOKEN_DISPLAY_CHARS) };
}

export type BearerParse = { kind: 'none' } | { kind: 'token'; token: string } | { kind: 'malformed'; reason: string };

/** Reads an Authorization header; anything but `Bearer sf_…` is malformed (never silently ignored). */
export function parseBearer(header: string | string[] | undefined): BearerParse {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return { kind: 'none' };
  const m = /^Bearer\s+(\S+)\s*$/i.exec(value.trim());
  if (!m) return { kind: 'malformed', reason: 'the Authorization header must be "Bearer sf_…" (a personal API token)' };
  if (!TOKEN_SHAPE.test(m[1])) return { kind: 'malformed', reason: 'that is not a StepFlow API token (they look like sf_ followed by 43 characters)' };
  return { kind: 'token', token: m[1] };
}

/**
 * The user owning a bearer token, or null (no header, malformed, unknown or revoked token).
 * Looked up by hash, so the comparison never touches the secret itself.
 */
export async function userFromBearer(db: Db, authorizationHeader: string | string[] | undefined): Promise<AuthUser | null> {
  const bearer = parseBearer(authorizationHeader);
  if (bearer.kind !== 'token') return null;
  const row = await db.apiToken.findUnique({ where: { tokenHash: hashApiToken(bearer.token) }, include: { user: true } });
  if (!row) return null;
  const now = Date.now();
  if (!row.lastUsedAt || now - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    // The token may be revoked in between: updateMany does not throw on a vanished row.
    await db.apiToken.updateMany({ where: { id: row.id }, data: { lastUsedAt: new Date(now) } });
  }
  return { id: row.user.id, username: row.user.username, isAdmin: row.user.isAdmin };
}

export type RequestIdentity =
  | { kind: 'bearer' | 'cookie'; user: AuthUser }
  | { kind: 'anonymous' }
  /** A token was presented and refused: answer 401, never fall back to the cookie. */
  | { kind: 'invalid_token'; reason: string };

/** Who sends this request (AUTH=local): a bearer token wins over the cookie; a bad token is an error. */
export async function identifyRequest(
  db: Db, headers: { authorization?: string | string[]; cookie?: string }, opts: { cookie: boolean } = { cookie: true },
): Promise<RequestIdentity> {
  const bearer = parseBearer(headers.authorization);
  if (bearer.kind === 'malformed') return { kind: 'invalid_token', reason: bearer.reason };
  if (bearer.kind === 'token') {
    const user = await userFromBearer(db, headers.authorization);
    return user
      ? { kind: 'bearer', user }
      : { kind: 'invalid_token', reason: 'unknown or revoked API token; create one under Settings → API tokens' };
  }
  const user = opts.cookie ? await userFromCookie(db, headers.cookie) : null;
  return user ? { kind: 'cookie', user } : { kind: 'anonymous' };
}
