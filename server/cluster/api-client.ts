// A worker host's client of the worker API (worker-api.ts). `--server` may list several web servers (or one load
// balancer); a server that does not answer, or answers 5xx, is left for the next one, with a capped back-off, for
// up to `patienceMs`: a web server restarting or killed must not lose a run's records.
import type { ClaimedRun, WorkerSettings } from './worker-api';

export class WorkerApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
    this.name = 'WorkerApiError';
  }
}

interface Answer { status: number; body: Record<string, unknown> }

export class WorkerApiClient {
  private current = 0;
  /** Blobs this process has uploaded: a preview repeated, or an output retried, is not sent twice. */
  private readonly uploaded = new Set<string>();

  constructor(
    private readonly servers: readonly URL[], private readonly token: string, private readonly log: (m: string) => void,
    private readonly patienceMs = 60_000,
  ) {}

  get server(): URL {
    return this.servers[this.current];
  }

  private async send(method: string, path: string, body?: Uint8Array | string, contentType = 'application/json'): Promise<Answer> {
    const deadline = Date.now() + this.patienceMs;
    for (let attempt = 0; ; attempt++) {
      const base = this.servers[this.current];
      let problem: string;
      try {
        const res = await fetch(new URL(path, base), {
          method,
          headers: { Authorization: `Bearer ${this.token}`, ...(body !== undefined ? { 'Content-Type': contentType } : {}) },
          body: body as BodyInit | undefined,
          signal: AbortSignal.timeout(120_000),
        });
        const text = await res.text();
        const parsed = text ? JSON.parse(text) as Record<string, unknown> : {};
        if (res.status < 500) return { status: res.status, body: parsed };
        problem = `${res.status} ${text.slice(0, 200)}`;
      } catch (e) {
        problem = (e as Error).message;
      }
      if (Date.now() > deadline) throw new WorkerApiError(0, 'unreachable', `no web server answered ${method} ${path} for ${this.patienceMs} ms (last: ${base.origin}: ${problem})`);
      this.current = (this.current + 1) % this.servers.length;
      if (attempt % this.servers.length === this.servers.length - 1) await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** Math.min(5, attempt))));
      if (attempt === 0) this.log(`${base.origin}: ${problem}; trying ${this.servers[this.current].origin}`);
    }
  }

  private static fail(a: Answer, what: string): never {
    const err = (a.body.error ?? {}) as { code?: string; message?: string };
    throw new WorkerApiError(a.status, err.code ?? 'error', `${what}: ${a.status} ${err.message ?? ''}`.trim());
  }

  /** The server's run settings; refuses a wrong WORKER_TOKEN or a server not in scaled mode in words. */
  async check(): Promise<WorkerSettings> {
    const a = await this.send('GET', '/api/workers/check');
    if (a.status !== 200) WorkerApiClient.fail(a, `${this.server.origin} refused this worker`);
    return a.body.settings as WorkerSettings;
  }

  /**
   * A run for this turn of the pool's line — the job's own run or one with this worker's models warm (affinity) — or
   * null when nothing is left to claim (cancelled meanwhile, or taken by another worker).
   */
  async claim(runId: string, who: { workerId: string; pool: string; warm: string[] }): Promise<ClaimedRun | null> {
    const a = await this.send('POST', `/api/workers/runs/${encodeURIComponent(runId)}/claim`, JSON.stringify(who));
    if (a.status === 409 || a.status === 404) return null;
    if (a.status !== 200) WorkerApiClient.fail(a, `claiming run ${runId}`);
    return a.body as unknown as ClaimedRun;
  }

  async putBlob(sha256: string, bytes: Uint8Array): Promise<void> {
    if (this.uploaded.has(sha256)) return;
    const a = await this.send('PUT', `/api/workers/blobs/${sha256}`, bytes, 'application/octet-stream');
    if (a.status !== 200) WorkerApiClient.fail(a, `uploading blob ${sha256}`);
    if (this.uploaded.size > 10_000) this.uploaded.clear();
    this.uploaded.add(sha256);
  }

  async record(runId: string, body: unknown): Promise<Record<string, unknown>> {
    const a = await this.send('POST', `/api/workers/runs/${encodeURIComponent(runId)}/record`, JSON.stringify(body));
    if (a.status !== 200) WorkerApiClient.fail(a, `recording ${(body as { op: string }).op} of run ${runId}`);
    return a.body;
  }

  /** An input image the worker lacks (uploads live with the web servers), or null if there is none by that name. */
  async input(name: string): Promise<Uint8Array | null> {
    const base = this.server;
    const res = await fetch(new URL(`/api/inputs/${encodeURIComponent(name)}`, base), { headers: { Authorization: `Bearer ${this.token}` } });
    if (!res.ok) return null;
    return new Uint8Array(await res.arrayBuffer());
  }
}
