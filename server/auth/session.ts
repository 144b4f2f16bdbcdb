// Sessions: the cookie (HttpOnly, SameSite=Lax, Secure behind https), its lookup, and the request's identity.
// A session lives SESSION_DAYS from its last renewal (sliding) but never past SESSION_MAX_DAYS from sign-in
// (absolute): its expiresAt is capped at both when written, so "expiresAt > now" is the whole validity check.
import crypto from 'node:crypto';
import type http from 'node:http';
import type { Db } from '../db';
import type { Env } from '../env';
import { percentDecode } from '../http/percent-decode';

export const SESSION_COOKIE = 'stepflow_session';
const DAY_MS = 24 * 3600 * 1000;

/** The two lifetimes, from SESSION_DAYS / SESSION_MAX_DAYS. */
export interface SessionTerms {
  slidingMs: number;
  absoluteMs: number;
}

export function sessionTerms(env: Pick<Env, 'SESSION_DAYS' | 'SESSION_MAX_DAYS'>): SessionTerms {
  return { slidingMs: env.SESSION_DAYS * DAY_MS, absoluteMs: env.SESSION_MAX_DAYS * DAY_MS };
}

function expiryAt(terms: SessionTerms, createdAt: number, now: number): Date {
  return new Date(Math.min(now + terms.slidingMs, createdAt + terms.absoluteMs));
}

export interface AuthUser {
  id: string;
  username: string;
  isAdmin: boolean;
}

/**
 * A cookie's value, or undefined when absent or not valid percent-encoding: the header is the client's to write,
 * so a garbled one (`stepflow_session=%zz`) means "signed out", never a thrown URIError (a 500).
 */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      return percentDecode(part.slice(eq + 1).trim());
    }
  }
  return undefined;
}

/** A TLS-terminating proxy tells us the browser used https; then the cookie must be Secure. */
export function isHttps(req: http.IncomingMessage): boolean {
  const proto = req.headers['x-forwarded-proto'];
  const first = (Array.isArray(proto) ? proto[0] : proto)?.split(',')[0].trim();
  return first === 'https' || Boolean((req.socket as { encrypted?: boolean }).encrypted);
}

export function sessionCookie(req: http.IncomingMessage, value: string, expires: Date | null): string {
  const parts = [`${SESSION_COOKIE}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
  parts.push(expires ? `Expires=${expires.toUTCString()}` : 'Max-Age=0');
  if (isHttps(req)) parts.push('Secure');
  return parts.join('; ');
}

/**
 * The Session row's id: sha256 of the cookie value. A copy of the database (a backup, a leaked file) then holds
 * no usable session; the cookie has 256 random bits, so an unsalted fast hash is enough.
 */
export function sessionKey(cookieValue: string): string {
  return crypto.createHash('sha256').update(cookieValue).digest('hex');
}

/** Returns the cookie value (only the browser keeps it). */
export async function createSession(db: Db, userId: string, terms: SessionTerms, now = Date.now()): Promise<{ id: string; expiresAt: Date }> {
  const id = crypto.randomBytes(32).toString('hex');
  const expiresAt = expiryAt(terms, now, now);
  await db.session.create({ data: { id: sessionKey(id), userId, createdAt: new Date(now), expiresAt } });
  return { id, expiresAt };
}

/** Sign-out: forgets the session of this cookie value. */
export async function endSession(db: Db, cookieValue: string): Promise<void> {
  await db.session.deleteMany({ where: { id: sessionKey(cookieValue) } });
}

export interface CookieSession {
  user: AuthUser;
  /** The cookie value. */
  sid: string;
  createdAt: Date;
  expiresAt: Date;
}

/** The session of a Cookie header, or null (no cookie, unknown or expired session). */
export async function sessionFromCookie(db: Db, cookieHeader: string | undefined): Promise<CookieSession | null> {
  const sid = readCookie(cookieHeader, SESSION_COOKIE);
  if (!sid || !/^[0-9a-f]{64}$/.test(sid)) return null;
  const key = sessionKey(sid);
  const s = await db.session.findUnique({ where: { id: key }, include: { user: true } });
  // Expired rows are left to the purge timer (auth/session-purge.ts).
  if (!s || s.expiresAt.getTime() <= Date.now()) return null;
  return {
    user: { id: s.user.id, username: s.user.username, isAdmin: s.user.isAdmin }, sid, createdAt: s.createdAt, expiresAt: s.expiresAt,
  };
}

/** The signed-in user of a Cookie header, or null. */
export async function userFromCookie(db: Db, cookieHeader: string | undefined): Promise<AuthUser | null> {
  return (await sessionFromCookie(db, cookieHeader))?.user ?? null;
}

/**
 * Sliding expiry: a session used in the second half of its term gets a full term again (at most one write a
 * day per browser), so people who use StepFlow are not signed out every SESSION_DAYS — but never beyond
 * SESSION_MAX_DAYS from sign-in, so a stolen cookie kept in use still dies. Returns the new expiry, if any.
 */
export async function renewSession(db: Db, s: CookieSession, terms: SessionTerms, now = Date.now()): Promise<Date | null> {
  if (s.expiresAt.getTime() - now > terms.slidingMs / 2) return null;
  const expiresAt = expiryAt(terms, s.createdAt.getTime(), now);
  if (expiresAt.getTime() <= s.expiresAt.getTime()) return null;
  await db.session.updateMany({ where: { id: sessionKey(s.sid) }, data: { expiresAt } });
  return expiresAt;
}
