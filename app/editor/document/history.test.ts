import { describe, expect, it } from 'vitest';
import { UndoHistory } from './history';

describe('UndoHistory', () => {
  it('undoes and redoes in order, and a new change drops redo', () => {
    const h = new UndoHistory<string>();
    h.record('a'); // a -> b
    h.record('b'); // b -> c
    expect(h.undo('c')).toBe('b');
    expect(h.undo('b')).toBe('a');
    expect(h.undo('a')).toBeUndefined();
    expect(h.redo('a')).toBe('b');
    h.record('b'); // b -> d
    expect(h.canRedo).toBe(false);
    expect(h.undo('d')).toBe('b');
  });

  it('forgets the oldest states beyond its limit', () => {
    const h = new UndoHistory<number>(2);
    h.record(1);
    h.record(2);
    h.record(3);
    expect(h.undo(4)).toBe(3);
    expect(h.undo(3)).toBe(2);
    expect(h.undo(2)).toBeUndefined();
  });
});
