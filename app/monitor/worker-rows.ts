// The worker table's rows: monitor.summary's `workers` are each mode's own reports (the local pool's, or worker
// hosts' Redis heartbeats), typed `unknown` on the wire; this reads the fields both may carry and adds the runs
// each worker ended in the window (from the database).

export interface WorkerRow {
  id: string;
  name: string | null;
  state: string;
  provider: string | null;
  device: number | null;
  pool: string | null;
  rss: number | null;
  onnxSessions: number | null;
  gpu: number | null;
  warm: string[];
  modelLoads: number | null;
  runId: string | null;
  runs: number;
  failed: number;
}

type Report = Record<string, unknown>;
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function workerRows(workers: readonly unknown[], ran: readonly { workerId: string; runs: number; failed: number }[]): WorkerRow[] {
  return workers.filter((w): w is Report => typeof w === 'object' && w !== null && typeof (w as Report).id === 'string').map((w) => {
    const memory = (typeof w.memory === 'object' && w.memory !== null ? w.memory : {}) as Report;
    const done = ran.find((r) => r.workerId === w.id);
    return {
      id: w.id as string,
      name: str(w.name),
      state: str(w.state) ?? 'unknown',
      provider: str(w.provider),
      device: num(w.device),
      pool: str(w.pool),
      rss: num(memory.rss),
      onnxSessions: num(memory.onnxSessions),
      gpu: num(memory.gpu),
      warm: Array.isArray(w.warm) ? w.warm.filter((k): k is string => typeof k === 'string') : [],
      modelLoads: num(w.modelLoads),
      runId: str(w.runId),
      runs: done?.runs ?? 0,
      failed: done?.failed ?? 0,
    };
  }).sort((a, b) => a.id.localeCompare(b.id));
}
