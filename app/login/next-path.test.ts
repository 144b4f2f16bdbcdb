import { describe, expect, it } from 'vitest';
import { loginHref, safeNext } from './next-path';

describe('safeNext', () => {
  it('keeps same-site paths with their query and hash', () => {
    expect(safeNext('/')).toBe('/');
    expect(safeNext('/?tab=templates')).toBe('/?tab=templates');
    expect(safeNext('/w/abc?share=tok_-123#node')).toBe('/w/abc?share=tok_-123#node');
    expect(safeNext('/runs/../settings')).toBe('/settings');
  });

  it('refuses anything that could leave the site', () => {
    for (const bad of [
      'https://evil.example/', '//evil.example/x', '/\\evil.example', '/\\/evil.example', 'javascript:alert(1)',
      '\\\\evil.example', ' /w/1', '/\t/evil.example', '/%0a/x\n', 'w/abc', '', null, undefined,
    ]) {
      expect(safeNext(bad), String(bad)).toBe('/');
    }
  });

  it('never sends you back to the login page', () => {
    expect(safeNext('/login')).toBe('/');
    expect(safeNext('/login?next=/runs')).toBe('/');
    expect(safeNext('/loginhelp')).toBe('/loginhelp');
  });
});

describe('loginHref', () => {
  it('carries the current page, encoded, with readable slashes', () => {
    expect(loginHref('/')).toBe('/login?next=/');
    expect(loginHref('/?tab=templates')).toBe('/login?next=/%3Ftab%3Dtemplates');
    expect(loginHref('/w/abc?share=x&y=1')).toBe('/login?next=/w/abc%3Fshare%3Dx%26y%3D1');
    expect(new URL(loginHref('/w/abc?share=x&y=1'), 'http://h').searchParams.get('next')).toBe('/w/abc?share=x&y=1');
    expect(loginHref('https://evil.example')).toBe('/login?next=/');
  });
});
