'use client';
// The editor's step debugger: breakpoints set from the node menu (always shown; switched off as a whole from the Debug
// tab), sent with a run started with the debugger (Debug, Ctrl+Shift+Enter; a plain Run ignores them) and, while that
// run goes, replaced live; Pause of a running run (F8) at its next sampler step; the paused run's controls Step (F10),
// Resume (F8), Cancel.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Breakpoints } from '../../../nodes/engine/debugger';
import { useTRPCClient } from '../../lib/trpc';
import { useToast } from '../../shell/toast';
import { isActive, type RunView } from '../run/run-state';
import { PAUSE_KEY, STEP_KEY } from '../editing/shortcuts';

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

/** How the badges show: active (a debugger run stops there), off (switched off), ignored (the shown run is a plain Run). */
export type BreakpointState = 'active' | 'off' | 'ignored';

export function useDebugger(view: RunView) {
  const client = useTRPCClient();
  const notify = useToast();
  // Breakpoints on or off as a whole; setting one never flips it (that made "Debug" a toggle users pressed to start).
  const [enabled, setEnabledState] = useState(true);
  // Runs this tab started with the debugger: only they take breakpoint changes while they go.
  const debugRuns = useRef(new Set<string>());
  const [breakpoints, setBreakpoints] = useState<EditorBreakpoints>(NONE);
  const live = useRef(view);
  live.current = view;

  const current = useRef(breakpoints);
  const enabledNow = useRef(enabled);
  /** A running debugger run takes the new breakpoints at once (e.g. "break every step" while it samples). */
  const sendLive = useCallback((b: EditorBreakpoints) => {
    const v = live.current;
    if (v.runId && debugRuns.current.has(v.runId) && isActive(v.status) && v.status !== 'queued') {
      client.runs.breakpoints.mutate({ runId: v.runId, breakpoints: toEngineBreakpoints(b) }).catch(() => { /* it just ended */ });
    }
  }, [client]);
  const update = useCallback((next: (b: EditorBreakpoints) => EditorBreakpoints) => {
    const n = next(current.current);
    current.current = n;
    setBreakpoints(n);
    sendLive(enabledNow.current ? n : NONE);
  }, [sendLive]);
  const setEnabled = useCallback((on: boolean) => {
    enabledNow.current = on;
    setEnabledState(on);
    sendLive(on ? current.current : NONE);
  }, [sendLive]);

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
  const clearAll = useCallback(() => update(() => NONE), [update]);

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

  const badges = useMemo(() => breakpointBadges(breakpoints), [breakpoints]);
  const plainRunGoing = view.runId !== null && isActive(view.status) && !debugRuns.current.has(view.runId);
  const badgeState: BreakpointState = !enabled ? 'off' : plainRunGoing ? 'ignored' : 'active';
  /** What a run with the debugger sends: its breakpoints (none when switched off); it takes changes to them while it goes. */
  const debugRunOptions = useCallback(() => ({ debug: toEngineBreakpoints(enabled ? breakpoints : NONE) }), [enabled, breakpoints]);
  /** The runs a debugger run started (they take live breakpoint changes). */
  const debugging = useCallback((runIds: readonly string[]) => { for (const id of runIds) debugRuns.current.add(id); }, []);

  return {
    enabled, setEnabled, breakpoints, badges, badgeState, toggleEveryStep, addStep, toggleBeforeNode, clear, clearAll, step, resume, pause,
    debugRunOptions, debugging,
  };
}

export type EditorDebugger = ReturnType<typeof useDebugger>;
