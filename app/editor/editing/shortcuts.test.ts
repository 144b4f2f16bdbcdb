import { describe, expect, it } from 'vitest';
import { parseWholeNumber } from '../../shell/NumberPromptDialog';
import { EDITOR_SHORTCUTS, shortcutAction } from './shortcuts';

const press = (key: string, held: { ctrl?: boolean; meta?: boolean; shift?: boolean; alt?: boolean } = {}) =>
  ({ key, ctrlKey: !!held.ctrl, metaKey: !!held.meta, shiftKey: !!held.shift, altKey: !!held.alt });

describe('editor shortcuts table', () => {
  it('maps keys to the actions the overlay lists', () => {
    expect(shortcutAction(press('z', { ctrl: true }), false)).toBe('undo');
    expect(shortcutAction(press('Z', { ctrl: true, shift: true }), false)).toBe('redo');
    expect(shortcutAction(press('y', { meta: true }), false)).toBe('redo');
    expect(shortcutAction(press('Enter', { ctrl: true }), false)).toBe('run');
    expect(shortcutAction(press('Enter', { ctrl: true, shift: true }), false)).toBe('debugRun');
    expect(shortcutAction(press('Enter', { meta: true, shift: true }), true)).toBe('debugRun');
    expect(shortcutAction(press('?', { shift: true }), false)).toBe('showShortcuts');
    expect(shortcutAction(press('m'), false)).toBe('toggleMinimap');
    expect(shortcutAction(press('g', { ctrl: true }), false)).toBe('group');
    expect(shortcutAction(press('g', { ctrl: true }), true)).toBeNull();
    expect(shortcutAction(press('G', { ctrl: true, shift: true }), false)).toBe('subgraph');
  });

  it('ignores near misses: Shift+M, Alt chords, plain letters without Ctrl', () => {
    expect(shortcutAction(press('M', { shift: true }), false)).toBeNull();
    expect(shortcutAction(press('s', { ctrl: true, alt: true }), false)).toBeNull();
    expect(shortcutAction(press('z'), false)).toBeNull();
    expect(shortcutAction(press('m', { ctrl: true }), false)).toBeNull();
  });

  it('leaves keys to a focused text field, except Save and Run', () => {
    expect(shortcutAction(press('?', { shift: true }), true)).toBeNull();
    expect(shortcutAction(press('m'), true)).toBeNull();
    expect(shortcutAction(press('z', { ctrl: true }), true)).toBeNull();
    expect(shortcutAction(press('s', { ctrl: true }), true)).toBe('save');
    expect(shortcutAction(press('Enter', { ctrl: true }), true)).toBe('run');
  });

  it('lists each row once, and every key binding has an action', () => {
    const keys = EDITOR_SHORTCUTS.map((s) => s.keys);
    expect(new Set(keys).size).toBe(keys.length);
    for (const s of EDITOR_SHORTCUTS) expect(Boolean(s.action)).toBe(Boolean(s.bindings?.length));
    expect(keys).toEqual(expect.arrayContaining(['F8', 'F10', 'Del / Backspace', 'M', '?']));
  });
});

describe('whole-number prompt', () => {
  it('accepts whole numbers from the minimum up, with surrounding spaces', () => {
    expect(parseWholeNumber('0', 0)).toEqual({ value: 0 });
    expect(parseWholeNumber(' 12 ', 0)).toEqual({ value: 12 });
  });

  it('says what to give for negatives, fractions and empty input', () => {
    const error = { error: 'Give a whole number ≥ 0 (0 = before the first step).' };
    for (const text of ['-3', '2.5', '', '   ']) expect(parseWholeNumber(text, 0, '0 = before the first step')).toEqual(error);
    expect(parseWholeNumber('1', 2)).toEqual({ error: 'Give a whole number ≥ 2.' });
  });
});
