import { describe, expect, it } from 'vitest';
import { editorMode, shareUrl, workflowHref } from './workflow-access';

describe('editor mode', () => {
  it('owner edits the current version; others view; any old version is read-only', () => {
    expect(editorMode({ canEdit: true, viewingVersion: null })).toBe('edit');
    expect(editorMode({ canEdit: false, viewingVersion: null })).toBe('view');
    expect(editorMode({ canEdit: true, viewingVersion: 2 })).toBe('version');
    expect(editorMode({ canEdit: false, viewingVersion: 1 })).toBe('version');
  });
});

describe('workflow links', () => {
  it('keeps the share token and version in the query, escaped', () => {
    expect(workflowHref('abc')).toBe('/w/abc');
    expect(workflowHref('abc', { version: 3 })).toBe('/w/abc?v=3');
    expect(workflowHref('abc', { shareToken: 'a-b_c', version: 1 })).toBe('/w/abc?share=a-b_c&v=1');
    expect(workflowHref('a/b', { shareToken: 'x+y' })).toBe('/w/a%2Fb?share=x%2By');
    expect(shareUrl('https://sf.example', 'w1', 'tok')).toBe('https://sf.example/w/w1?share=tok');
  });
});
