import { describe, expect, it } from 'vitest';
import {
  GROUP_PADDING, GROUP_TITLE_HEIGHT, MIN_GROUP_SIZE, boxInside, centreInside, frameAround, freshGroupId, gridDelta,
  groupsInFrame, nodesInFrame, resized,
} from './geometry';

describe('frameAround', () => {
  it('pads every side and leaves room for the title above', () => {
    expect(GROUP_PADDING).toBe(20);
    expect(GROUP_TITLE_HEIGHT).toBe(34);
    const frame = frameAround([
      { x: 100, y: 200, width: 260, height: 180 },
      { x: 500, y: 140, width: 240, height: 300 },
    ]);
    // left 100, top 140, right 740, bottom 440
    expect(frame).toEqual({ x: 80, y: 86, width: 680, height: 374 });
  });

  it('is at least the minimum size around one small node, and refuses nothing to go around', () => {
    expect(frameAround([{ x: 0, y: 0, width: 16, height: 16 }])).toEqual({ x: -20, y: -54, width: MIN_GROUP_SIZE.width, height: 90 });
    expect(() => frameAround([])).toThrow(/at least one node/);
  });
});

describe('membership', () => {
  const frame = { id: 'g', x: 0, y: 0, width: 400, height: 300 };

  it('a node belongs when its centre is inside, even if its box sticks out', () => {
    expect(centreInside({ x: 300, y: 100, width: 180, height: 80 }, frame)).toBe(true); // centre x 390
    expect(centreInside({ x: 320, y: 100, width: 180, height: 80 }, frame)).toBe(false); // centre x 410
    expect(centreInside({ x: -10, y: -10, width: 20, height: 20 }, frame)).toBe(true); // centre on the corner
    const nodes = [
      { id: 'in', x: 20, y: 60, width: 200, height: 100 },
      { id: 'half-out', x: 300, y: 250, width: 160, height: 90 }, // centre (380, 295)
      { id: 'out', x: 420, y: 0, width: 100, height: 100 },
      { id: 'above', x: 100, y: -120, width: 100, height: 100 }, // centre y -70
    ];
    expect(nodesInFrame(frame, nodes)).toEqual(['in', 'half-out']);
  });

  it('nested frames are the ones wholly inside, never the frame itself or an equal one', () => {
    const groups = [
      frame,
      { id: 'inner', x: 10, y: 40, width: 200, height: 100 },
      { id: 'same', x: 0, y: 0, width: 400, height: 300 },
      { id: 'overlapping', x: 300, y: 200, width: 200, height: 200 },
    ];
    expect(groupsInFrame(frame, groups)).toEqual(['inner']);
    expect(boxInside(groups[1], frame)).toBe(true);
    expect(boxInside(frame, groups[1])).toBe(false);
  });
});

describe('moving and resizing', () => {
  it('moves by whole grid steps', () => {
    expect(gridDelta({ x: 29, y: -31 }, 20)).toEqual({ x: 20, y: -40 });
    expect(gridDelta({ x: 9.9, y: 10 }, 20)).toEqual({ x: 0, y: 20 });
  });

  it('grows and shrinks from the bottom-right grip, never under the minimum', () => {
    const f = { x: 10, y: 20, width: 400, height: 300 };
    expect(resized(f, { x: 60, y: -100 })).toEqual({ x: 10, y: 20, width: 460, height: 200 });
    expect(resized(f, { x: -1000, y: -1000 })).toEqual({ x: 10, y: 20, ...MIN_GROUP_SIZE });
  });

  it('names new groups after the first free number', () => {
    expect(freshGroupId(new Set())).toBe('group_1');
    expect(freshGroupId(new Set(['group_1', 'group_3']))).toBe('group_2');
  });
});
