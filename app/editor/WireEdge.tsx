'use client';
// A wire as the canvas draws it: React Flow's bezier, drawn above nodes (Canvas.tsx WIRE_Z) with a hit stroke that
// stops short of both ends, so the sockets a wire ends on stay uncovered and take their own presses.
import { memo } from 'react';
import { BaseEdge, getBezierPath, type EdgeProps } from '@xyflow/react';
import './wire-edge.css';

/** Flow units of the hit stroke left out at each end: a socket dot's radius plus half the stroke's width. */
export const SOCKET_CLEARANCE = 16;
const HIT_WIDTH = 20;
/** The hit path is measured in these units (pathLength), so a dash pattern can trim a length known only roughly. */
const UNITS = 1000;

/**
 * The hit stroke's dash pattern: a gap at each end worth `clearance` along a wire about `chord` long (the chord is
 * shorter than the curve, so the gap comes out a little longer, never shorter), and never more than 40% per end.
 */
export function trimmedDash(chord: number, clearance = SOCKET_CLEARANCE): string {
  const gap = Math.min(0.4 * UNITS, (UNITS * clearance) / Math.max(chord, 1));
  return `0 ${gap} ${UNITS - 2 * gap} ${gap}`;
}

function WireEdgeImpl(p: EdgeProps) {
  const [path] = getBezierPath(p);
  return (
    <>
      <BaseEdge id={p.id} path={path} style={p.style} markerEnd={p.markerEnd} markerStart={p.markerStart} interactionWidth={0} />
      <path
        d={path} className="react-flow__edge-interaction" fill="none" strokeOpacity={0} strokeWidth={HIT_WIDTH}
        pathLength={UNITS} strokeDasharray={trimmedDash(Math.hypot(p.targetX - p.sourceX, p.targetY - p.sourceY))}
      />
    </>
  );
}

export const WireEdge = memo(WireEdgeImpl);
