// Adapts the server's runs.get answer to the editor's RunSnapshot (one place to follow its shape).
import type { RouterOutputs } from '../../lib/trpc';
import type { RunSnapshot } from './run-state';

type RunDetail = RouterOutputs['runs']['get'];

export function snapshotFromRun(run: RunDetail): RunSnapshot {
  const failed = run.status === 'failed' || run.status === 'interrupted';
  return {
    runId: run.id,
    status: run.status,
    totalMs: run.totalMs,
    promptCache: run.promptCache,
    artifacts: run.artifacts
      .filter((a) => a.kind === 'image' || a.kind === 'temp')
      .map((a) => ({ nodeId: a.nodeId, kind: a.kind as 'image' | 'temp', filename: a.filename, mime: a.mime, width: a.width, height: a.height, id: a.id, url: a.url })),
    nodes: run.nodes.map((n) => ({ id: n.id, status: n.status, ms: n.ms, cached: n.cached, warnings: n.warnings })),
    error: failed && run.error ? { nodeId: run.error.nodeId ?? undefined, code: run.error.code, message: run.error.message } : null,
  };
}
