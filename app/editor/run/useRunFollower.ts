'use client';
// Follows the runs of one workflow over Socket.io (its room), so runs started in any tab show here:
// folds events into a RunView (and the last Run ×N press's runs into a BatchView), turns binary previews into
// blob URLs, and polls runs.get / runs.list as a safety net for events missed while the socket was reconnecting.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { RunEventMap, RunEventName } from '../../../nodes/engine/events';
import { getSocket } from '../../lib/socket';
import { useTRPCClient } from '../../lib/trpc';
import { applyStatuses, batchActive, reduceBatch, startBatch, type BatchView } from './batch-state';
import { snapshotFromRun } from './run-snapshot';
import { idleRun, isActive, reduceRun, type RunAction, type RunView } from './run-state';
import type { StepSample } from './step-log';

const EVENT_NAMES: RunEventName[] = [
  'run:queued', 'run:position', 'run:started', 'node:started', 'node:progress', 'node:preview', 'node:warning',
  'node:finished', 'node:artifact', 'run:paused', 'run:resumed', 'run:finished', 'run:failed', 'run:cancelled',
];

type LooseSocket = { on(name: string, fn: (p: never) => void): void; off(name: string, fn: (p: never) => void): void };

export function useRunFollower(workflowId: string) {
  const client = useTRPCClient();
  const state = useRef<RunView>(idleRun);
  const [view, setView] = useState<RunView>(idleRun);
  const [previews, setPreviews] = useState<Record<string, string>>({});
  const previewUrls = useRef<{ runId: string | null; urls: Record<string, string> }>({ runId: null, urls: {} });
  // The debugger's live view: current-latent previews and each step's sigma and latent stats, per node.
  const [latentPreviews, setLatentPreviews] = useState<Record<string, string>>({});
  const latentUrls = useRef<Record<string, string>>({});
  const [stepLog, setStepLog] = useState<Record<string, StepSample[]>>({});
  const batchState = useRef<BatchView | null>(null);
  const [batch, setBatch] = useState<BatchView | null>(null);

  const setBatchState = useCallback((b: BatchView | null) => {
    if (b === batchState.current) return;
    batchState.current = b;
    setBatch(b);
  }, []);

  const dispatch = useCallback((a: RunAction) => {
    setBatchState(reduceBatch(batchState.current, a));
    const next = reduceRun(state.current, a, Date.now());
    if (next === state.current) return;
    if (next.runId !== previewUrls.current.runId) {
      // A new run is shown: the old run's previews go.
      for (const url of Object.values(previewUrls.current.urls)) URL.revokeObjectURL(url);
      previewUrls.current = { runId: next.runId, urls: {} };
      setPreviews({});
      for (const url of Object.values(latentUrls.current)) URL.revokeObjectURL(url);
      latentUrls.current = {};
      setLatentPreviews({});
      setStepLog({});
    }
    state.current = next;
    setView(next);
  }, [setBatchState]);

  const showPreview = useCallback((p: RunEventMap['node:preview']) => {
    if (p.runId !== state.current.runId) return;
    const bytes = p.image instanceof Uint8Array ? p.image : new Uint8Array(p.image as unknown as ArrayBuffer);
    const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: p.mime }));
    const old = previewUrls.current.urls[p.nodeId];
    previewUrls.current.urls = { ...previewUrls.current.urls, [p.nodeId]: url };
    setPreviews(previewUrls.current.urls);
    // The <img> switches to the new URL in the same render, so the old one can go now.
    if (old) setTimeout(() => URL.revokeObjectURL(old), 1000);
    if (p.latentImage) {
      const lb = p.latentImage instanceof Uint8Array ? p.latentImage : new Uint8Array(p.latentImage as unknown as ArrayBuffer);
      const lurl = URL.createObjectURL(new Blob([lb as Uint8Array<ArrayBuffer>], { type: p.mime }));
      const lold = latentUrls.current[p.nodeId];
      latentUrls.current = { ...latentUrls.current, [p.nodeId]: lurl };
      setLatentPreviews(latentUrls.current);
      if (lold) setTimeout(() => URL.revokeObjectURL(lold), 1000);
    }
    if (p.stats?.length) {
      const sample: StepSample = { step: p.step, total: p.total, sigma: p.sigma, timestep: p.timestep, stats: p.stats };
      setStepLog((log) => ({ ...log, [p.nodeId]: [...(log[p.nodeId] ?? []).filter((x) => x.step !== p.step), sample] }));
    }
  }, []);

  useEffect(() => {
    const socket = getSocket();
    const join = () => socket.emit('join', { workflowId }, () => {});
    if (socket.connected) join();
    socket.on('connect', join);
    const loose = socket as unknown as LooseSocket;
    const handlers = EVENT_NAMES.map((name) => {
      const fn = (payload: never) => {
        const p = payload as RunEventMap[typeof name];
        // The payload's own `type` (a node's type on node:* events) must not hide the event name.
        dispatch({ ...(p as object), type: name } as RunAction);
        if (name === 'node:preview') showPreview(p as RunEventMap['node:preview']);
      };
      loose.on(name, fn);
      return [name, fn] as const;
    });
    return () => {
      socket.off('connect', join);
      for (const [name, fn] of handlers) loose.off(name, fn);
      socket.emit('leave', { workflowId });
    };
  }, [workflowId, dispatch, showPreview]);

  // Show the newest run of this workflow when the editor opens (its outputs, or its progress).
  useEffect(() => {
    let cancelled = false;
    client.runs.list.query({ workflowId, limit: 1 }).then(async (page) => {
      const latest = page.items[0];
      if (!latest || cancelled || state.current.runId !== null) return;
      const run = await client.runs.get.query({ runId: latest.id });
      if (!cancelled && state.current.runId === null) dispatch({ type: 'local:snapshot', snapshot: snapshotFromRun(run) });
    }).catch(() => { /* an empty history is not an error worth showing */ });
    return () => { cancelled = true; };
  }, [client, workflowId, dispatch]);

  // Safety net: while a run is active, poll its state so a missed end event cannot leave it spinning.
  const active = isActive(view.status);
  useEffect(() => {
    if (!active || !view.runId) return;
    const runId = view.runId;
    const timer = setInterval(() => {
      client.runs.get.query({ runId })
        .then((run) => dispatch({ type: 'local:snapshot', snapshot: snapshotFromRun(run) }))
        .catch(() => {});
    }, 2000);
    return () => clearInterval(timer);
  }, [active, view.runId, client, dispatch]);

  // The same for the batch's other runs: one runs.list page holds them (a press queues at most 100).
  const batchGoing = batchActive(batch);
  useEffect(() => {
    if (!batchGoing) return;
    const timer = setInterval(() => {
      client.runs.list.query({ workflowId, limit: 100 })
        .then((page) => setBatchState(applyStatuses(batchState.current, page.items)))
        .catch(() => {});
    }, 2000);
    return () => clearInterval(timer);
  }, [batchGoing, workflowId, client, setBatchState]);

  useEffect(() => () => {
    for (const url of Object.values(previewUrls.current.urls)) URL.revokeObjectURL(url);
    for (const url of Object.values(latentUrls.current)) URL.revokeObjectURL(url);
  }, []);

  const enqueued = useCallback((runId: string, position: number) => {
    dispatch({ type: 'local:enqueued', runId, position });
    // Viewers of someone else's workflow may not join its room (it carries everyone's runs): they follow their own run.
    getSocket().emit('join', { runId }, () => {});
  }, [dispatch]);

  /** Follows these runs (one press of Run ×N, in queue order) as the batch shown in the header. */
  const trackBatch = useCallback((runIds: string[]) => setBatchState(startBatch(runIds)), [setBatchState]);

  return { view, previews, latentPreviews, stepLog, enqueued, batch, trackBatch };
}
