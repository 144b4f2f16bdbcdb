'use client';
// The editor's step debugger: the Debug toggle, breakpoints set from the node menu (sent with the run
// and, while it runs, replaced live), Pause of a running run (F8) at its next sampler step, and the paused
// run's controls Step (F10), Resume (F8), Cancel.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Breakpoints } from '../../nodes/engine/debugger';
import { useTRPCClient } from '../lib/trpc';
import { useToast } from '../shell/toast';
import { isActive, type RunView } from './run-state';
import { PAUSE_KEY, STEP_KEY } from './shortcuts';

export interface EditorBreakpoints {
  everyStep: string[];
  steps: { nodeId: string; step: number }[];
  beforeNodes: string[];
}

const NONE: EditorBreakpoints = { everyStep: [], steps: [], beforeNodes: [] };

export function toEngineBreakpoints(b: EditorBreakpoints): Breakpoints {
  return { everyStep: b.everyStep, steps: b.steps, beforeNodes: b.beforeNodes };
}

/** Short badge text per node: "every step", "step 5", "before". */
export function breakpointBadges(b: EditorBreakpoints): Map<string, string> {
  const m = new Map<string, string[]>();
  const add = (id: string, t: string) => m.set(id, [...(m.get(id) ?? []), t]);
  for (const id of b.everyStep) add(id, 'every step');
  for (const s of b.steps) add(s.nodeId, `step ${s.step}`);
  for (const id of b.beforeNodes) add(id, 'before');
  return new Map([...m].map(([id, parts]) => [id, parts.join(', ')]));
}

export function useDebugger(view: RunView) {
  const client = useTRPCClient();
  const notify = useToast();
  const [enabled, setEnabled] = useState(false);
  const [breakpoints, setBreakpoints] = useState<EditorBreakpoints>(NONE);
  const live = useRef(view);
  live.current = view;

  const current = useRef(breakpoints);
  const update = useCallback((next: (b: EditorBreakpoints) => EditorBreakpoints) => {
    const n = next(current.current);
    current.current = n;
    setBreakpoints(n);
    setEnabled(true);
    const v = live.current;
    // A running run takes the new breakpoints at once (e.g. "break every step" while it samples).
    if (v.runId && isActive(v.status) && v.status !== 'queued') {
      client.runs.breakpoints.mutate({ runId: v.runId, breakpoints: toEngineBreakpoints(n) }).catch(() => { /* it just ended */ });
    }
  }, [client]);

  const toggleEveryStep = useCallback((nodeId: string) => update((b) => ({
    ...b, everyStep: b.everyStep.includes(nodeId) ? b.everyStep.filter((x) => x !== nodeId) : [...b.everyStep, nodeId],
  })), [update]);
  const addStep = useCallback((nodeId: string, step: number) => update((b) => ({
    ...b, steps: [...b.steps.filter((s) => !(s.nodeId === nodeId && s.step === step)), { nodeId, step }],
  })), [update]);
  const toggleBeforeNode = useCallback((nodeId: string) => update((b) => ({
    ...b, beforeNodes: b.beforeNodes.includes(nodeId) ? b.beforeNodes.filter((x) => x !== nodeId) : [...b.beforeNodes, nodeId],
  })), [update]);
  const clear = useCallback((nodeId: string) => update((b) => ({
    everyStep: b.everyStep.filter((x) => x !== nodeId), steps: b.steps.filter((s) => s.nodeId !== nodeId), beforeNodes: b.beforeNodes.filter((x) => x !== nodeId),
  })), [update]);

  const command = useCallback((c: 'step' | 'resume') => {
    const v = live.current;
    if (!v.runId || v.status !== 'paused') return;
    client.runs.debug.mutate({ runId: v.runId, command: c }).catch((e: Error) => notify(`${c} failed: ${e.message}`, 'error'));
  }, [client, notify]);
  const step = useCallback(() => command('step'), [command]);
  const resume = useCallback(() => command('resume'), [command]);
  /** Any running run (Debug on or off) stops before its next sampler step; then Step / Resume as usual. */
  const pause = useCallback(() => {
    const v = live.current;
    if (!v.runId || v.status !== 'running') return;
    client.runs.debug.mutate({ runId: v.runId, command: 'pause' }).catch((e: Error) => notify(`Pause failed: ${e.message}`, 'error'));
  }, [client, notify]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const status = live.current.status;
      if (e.key === PAUSE_KEY && status === 'running') { e.preventDefault(); pause(); return; }
      if (status !== 'paused') return;
      if (e.key === STEP_KEY) { e.preventDefault(); step(); }
      if (e.key === PAUSE_KEY) { e.preventDefault(); resume(); }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [step, resume, pause]);

  const badges = useMemo(() => (enabled ? breakpointBadges(breakpoints) : new Map<string, string>()), [enabled, breakpoints]);
  /** What a Run sends: the breakpoints when Debug is on. */
  const runOptions = useCallback(() => (enabled ? { debug: toEngineBreakpoints(breakpoints) } : {}), [enabled, breakpoints]);

  return { enabled, setEnabled, breakpoints, badges, toggleEveryStep, addStep, toggleBeforeNode, clear, step, resume, pause, runOptions };
}

export type EditorDebugger = ReturnType<typeof useDebugger>;
