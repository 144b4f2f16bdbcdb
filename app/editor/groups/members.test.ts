// What a frame holds on the canvas: React Flow's measured node sizes decide the centres, nested frames come along.
import { describe, expect, it } from 'vitest';
import { FLOW_NODE_TYPE, type FlowGroup, type FlowNode } from '../editing/graph-mapping';
import { groupMembers, nodeBox } from './useGroupActions';

const node = (id: string, x: number, y: number, size?: { width: number; height: number }): FlowNode => ({
  id, type: FLOW_NODE_TYPE, position: { x, y }, data: { type: 'resize', typeVersion: 1, params: {} }, ...(size ? { measured: size } : {}),
});
const group = (id: string, x: number, y: number, width: number, height: number): FlowGroup =>
  ({ id, title: id, color: '#3b6ea5', bounds: { x, y, width, height } });

describe('groupMembers', () => {
  it('reads each node\'s measured size; an unmeasured node is a point at its position', () => {
    expect(nodeBox(node('a', 10, 20, { width: 200, height: 120 }))).toEqual({ id: 'a', x: 10, y: 20, width: 200, height: 120 });
    expect(nodeBox(node('b', 10, 20))).toEqual({ id: 'b', x: 10, y: 20, width: 0, height: 0 });
  });

  it('takes the nodes whose measured centre is inside and the frames nested in it', () => {
    const outer = group('outer', 0, 0, 600, 400);
    const nodes = [
      node('inside', 40, 60, { width: 200, height: 100 }),
      // Top-left inside, but 360 wide: centre x 720 is outside.
      node('wide', 540, 60, { width: 360, height: 100 }),
      // Sticks out right and below, centre (580, 380) inside.
      node('overhang', 480, 330, { width: 200, height: 100 }),
    ];
    const groups = [outer, group('nested', 300, 200, 200, 150), group('apart', 700, 0, 200, 200)];
    expect(groupMembers(outer, nodes, groups)).toEqual({ nodes: ['inside', 'overhang'], groups: ['nested'] });
  });
});
