// Where to go after signing in: `?next=` only ever names a page of this site, never another origin
// (an open redirect would let a phishing link borrow our login page).
const BASE = 'http://stepflow.invalid';

/** A same-site path (with its query and hash) from `next`, else "/". The login page itself is never a target. */
export function safeNext(raw: string | null | undefined): string {
  if (!raw || !raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return '/';
  // Browsers treat backslashes as slashes and drop tabs/newlines in URLs: refuse both rather than guess.
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (/[\\\u0000-\u001f\u007f]/.test(raw)) return '/';
  let url: URL;
  try {
    url = new URL(raw, BASE);
  } catch {
    return '/';
  }
  if (url.origin !== BASE) return '/';
  if (url.pathname === '/login' || url.pathname.startsWith('/login/')) return '/';
  return `${url.pathname}${url.search}${url.hash}`;
}

/** The login page, coming back to `here` afterwards. */
export function loginHref(here = '/'): string {
  // Slashes are legal in a query value; leaving them readable gives "/login?next=/w/abc".
  return `/login?next=${encodeURIComponent(safeNext(here)).replace(/%2F/g, '/')}`;
}
