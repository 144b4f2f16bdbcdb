import { describe, expect, it } from 'vitest';
import { matchesQuery, parseQuery } from '../../server/workflow-search';
import { libraryHref, resolveTab, searchInput, tabAfterKey, tabsFor, tagSearch } from './library-url';

describe('library tabs in the URL', () => {
  it('offers all four tabs with accounts and only Mine + Templates without', () => {
    expect(tabsFor('local')).toEqual(['mine', 'shared', 'explore', 'templates']);
    expect(tabsFor('none')).toEqual(['mine', 'templates']);
  });

  it('falls back to Mine for a missing, unknown or hidden tab', () => {
    expect(resolveTab(null, 'local')).toBe('mine');
    expect(resolveTab('explore', 'local')).toBe('explore');
    expect(resolveTab('shared', 'none')).toBe('mine');
    expect(resolveTab('templates', 'none')).toBe('templates');
    expect(resolveTab('Explore', 'local')).toBe('mine');
  });

  it('round-trips tab and search through the query string', () => {
    const href = libraryHref({ tab: 'explore', q: '#portrait & cats' });
    expect(href).toBe('/?tab=explore&q=%23portrait+%26+cats');
    const params = new URL(href, 'http://x').searchParams;
    expect(params.get('tab')).toBe('explore');
    expect(params.get('q')).toBe('#portrait & cats');
    expect(libraryHref({ tab: 'mine', q: '' })).toBe('/?tab=mine');
  });

  it('sends no input for a blank search and a trimmed one otherwise', () => {
    expect(searchInput('  ')).toBeUndefined();
    expect(searchInput(' cat  ')).toEqual({ query: 'cat' });
  });

  it('moves along the tabs with arrows (wrapping) and jumps with Home/End', () => {
    const tabs = tabsFor('local');
    expect(tabAfterKey(tabs, 'mine', 'ArrowRight')).toBe('shared');
    expect(tabAfterKey(tabs, 'mine', 'ArrowLeft')).toBe('templates');
    expect(tabAfterKey(tabs, 'templates', 'ArrowRight')).toBe('mine');
    expect(tabAfterKey(tabs, 'explore', 'Home')).toBe('mine');
    expect(tabAfterKey(tabs, 'shared', 'End')).toBe('templates');
    expect(tabAfterKey(tabs, 'shared', 'a')).toBeNull();
  });
});

describe('tag chip searches', () => {
  const w = (tags: string[]) => ({ name: 'Sprite sheet', description: 'pixel art', tags });

  it('searches tags only, so a name containing the word does not match', () => {
    expect(parseQuery(tagSearch('sprite'))).toEqual([{ text: 'sprite', tagOnly: true }]);
    expect(matchesQuery(w(['sprite']), tagSearch('sprite'))).toBe(true);
    expect(matchesQuery(w(['pixel']), tagSearch('sprite'))).toBe(false);
  });

  it('still finds a workflow by a tag with spaces', () => {
    expect(matchesQuery(w(['black and white']), tagSearch('black and white'))).toBe(true);
    expect(matchesQuery(w(['black']), tagSearch('black and white'))).toBe(false);
    expect(matchesQuery({ name: 'and white', description: '', tags: ['black'] }, tagSearch('black and white'))).toBe(false);
  });
});
