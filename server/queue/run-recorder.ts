// Persists what a run produces: node results, artifact files + rows, previews, the run's final state.
import type { ArtifactRef, RunEventMap } from '../../nodes/engine/events';
import type { StepLatents } from '../../nodes/engine/step-latents';
import { ArtifactRejectedError, sniffImage } from '../artifacts/image-kind';
import { artifactUrl, type ArtifactStore } from '../artifacts/store';
import { makeThumbnail } from '../artifacts/thumbnail';
import type { Db } from '../db';
import type { Metrics } from '../metrics/metrics';
import { StepStore } from '../steps/step-store';
import type { WorkerRunResult } from '../worker/protocol';
import { LatestOnly } from './latest-only';
import { NodeResultWriter } from './node-result-writer';
import { orderedIds } from './row-ids';
import { TurnBatcher } from './turn-batcher';
import type { Prisma } from '../generated/prisma/client';

/** Artifact kinds of sampler steps stored as JPEGs by earlier versions (now steps/<runId>.steps): still pruned. */
export const STEP_KINDS = ['preview', 'preview-latent'] as const;
/** Kept only for the newest PREVIEW_RUNS_KEPT runs: old step JPEGs and Preview Image pictures (`temp`). */
export const PRUNED_KINDS = [...STEP_KINDS, 'temp'] as const;

export type FinalStatus = 'succeeded' | 'failed' | 'cancelled' | 'interrupted';

export interface RunFailure {
  status: Exclude<FinalStatus, 'succeeded'>;
  code: string;
  message: string;
  nodeId?: string;
}

/** What a RunEventRelay needs to record a run: the database here, the API from a scaled worker host (server/cluster/). */
export type RunRecords = Pick<RunRecorder, 'nodeFinished' | 'storeSteps' | 'finish' | 'fail' | 'prunePreviews'>;

export class RunRecorder {
  private readonly nodeResults: NodeResultWriter;
  /** Artifact rows, one statement per turn: a batch's runs end together (ids made here, so nothing is read back). */
  private readonly artifactRows: TurnBatcher<Prisma.ArtifactCreateManyInput>;
  /** Nodes whose node:finished row this process wrote, per open run: finish() need not write them again. */
  private readonly recorded = new Map<string, Set<string>>();
  /** Library cards per workflow and user: only the newest of the outputs that arrive together is made into one. */
  private readonly cards = new LatestOnly();
  /** Preview pruning: calls made while one pass runs share the next one. */
  private readonly prunes = new LatestOnly<number>();

  constructor(
    private readonly db: Db, private readonly store: ArtifactStore, private readonly metrics?: Metrics,
    private readonly steps = new StepStore(store.dataDir),
  ) {
    this.nodeResults = new NodeResultWriter(db);
    this.artifactRows = new TurnBatcher(async (data) => void (await db.artifact.createMany({ data })));
  }

  async nodeFinished(e: RunEventMap['node:finished']): Promise<void> {
    this.metrics?.nodeFinished(e.nodeType, e.ms, e.cached);
    await this.nodeResults.write({
      runId: e.runId, nodeId: e.nodeId, type: e.nodeType, status: 'succeeded', ms: e.ms, ortMs: e.ortMs, cached: e.cached,
      outputs: JSON.stringify(e.outputs), batch: e.batch ? JSON.stringify(e.batch) : null,
      warnings: e.warnings?.length ? JSON.stringify(e.warnings) : null,
    });
    let nodes = this.recorded.get(e.runId);
    if (!nodes) {
      // Bounded: a run whose end another web server records (scaled mode) never clears its entry here.
      if (this.recorded.size >= 10_000) this.recorded.delete(this.recorded.keys().next().value!);
      this.recorded.set(e.runId, (nodes = new Set()));
    }
    nodes.add(e.nodeId);
  }

  /**
   * Every watched sampler step is kept (within PREVIEW_RUNS_KEPT runs) so a run can be scrubbed: its sigma/timestep,
   * latent stats and both latents, drawn on request (server/steps/). Steps of one run arrive in order, in batches.
   */
  async storeSteps(runId: string, steps: StepLatents[]): Promise<void> {
    await this.steps.append(runId, steps);
  }

  /** Stores output files, completes node results and closes the run; returns the stored artifacts. */
  async finish(run: { runId: string; workflowId?: string; userId?: string | null }, result: WorkerRunResult): Promise<ArtifactRef[]> {
    // Every file is checked before any is written, so a refused one leaves no half-recorded outputs behind.
    for (const a of result.artifacts) {
      if (!sniffImage(a.bytes)) throw new ArtifactRejectedError(a.nodeId, `output "${a.filename}" (claimed ${a.mime})`);
    }
    for (const t of result.inspect ?? []) {
      if (!sniffImage(t.bytes)) throw new ArtifactRejectedError(t.nodeId, `inspector thumbnail of output "${t.output}"`);
    }
    const refs: ArtifactRef[] = [];
    const rows: Prisma.ArtifactCreateManyInput[] = [];
    /** The file stored and its row made (written below with the rest of the run's, in one statement per turn). */
    const stored = async (bytes: Uint8Array, fields: Pick<Prisma.ArtifactCreateManyInput, 'nodeId' | 'kind' | 'filename' | 'width' | 'height'>) => {
      const file = await this.store.put(bytes);
      const row = { id: orderedIds(1)[0], runId: run.runId, mime: file.mime, sha256: file.sha256, size: file.size, path: file.path, ...fields };
      rows.push(row);
      return row;
    };
    for (const a of result.artifacts) {
      const { id, mime } = await stored(a.bytes, { nodeId: a.nodeId, kind: a.kind, filename: a.filename, width: a.width, height: a.height });
      refs.push({ nodeId: a.nodeId, kind: a.kind, filename: a.filename, mime, width: a.width, height: a.height, id, url: artifactUrl(id) });
    }
    for (const t of result.inspect ?? []) {
      // Not an output: the inspector's picture of a "run to here" target (no ArtifactRef, no thumbnail).
      await stored(t.bytes, { nodeId: t.nodeId, kind: 'inspect', filename: `${t.nodeId}-${t.output}.png`, width: t.width, height: t.height });
    }
    await Promise.all(rows.map((r) => this.artifactRows.add(r)));
    // node:finished already wrote succeeded nodes with the same figures and their output summaries (when it reached
    // this process: a scaled host may post it to another web server); this fills in the rest.
    const written = this.recorded.get(run.runId);
    this.recorded.delete(run.runId);
    await Promise.all(result.nodes.filter((n) => !(n.status === 'succeeded' && written?.has(n.id))).map((n) => this.nodeResults.write({
      runId: run.runId, nodeId: n.id, type: n.type, status: n.status, ms: n.ms, ortMs: n.ortMs, cached: n.cached,
    })));
    // Before the status flips: whoever sees "succeeded" also sees the new library card (a saved output, never a preview).
    const first = refs.find((r) => r.kind === 'image');
    if (result.status === 'succeeded' && run.workflowId && first?.id) {
      const workflowId = run.workflowId;
      await this.cards.run(`${workflowId}\u0000${run.userId ?? ''}`, () => this.setThumbnail(run.runId, workflowId, first, result));
    }
    const ended = await this.db.run.update({
      where: { id: run.runId },
      data: {
        status: result.status, finishedAt: new Date(), totalMs: result.totalMs, ortMs: result.ortMs,
        errorNodeId: result.error?.nodeId ?? null, errorCode: result.error?.code ?? null, errorMessage: result.error?.message ?? null,
        promptCacheHits: result.promptCache?.hits ?? null, promptCacheMisses: result.promptCache?.misses ?? null,
      },
    });
    this.metrics?.runEnded(ended);
    if (result.promptCache) this.metrics?.promptCacheUsed(result.promptCache);
    return refs;
  }

  /**
   * The library card of the workflow: the first output as a 256 px WebP. Only the owner's own runs set it
   * (AUTH=local): another user's output stays private to them. Raw update: a new thumbnail is not an edit,
   * so the workflow's updatedAt must not move. `IS NOT DISTINCT FROM` is null-safe equality on both databases
   * (AUTH=none: owner and run user are both null); SQLite's shorter `IS` is unknown to PostgreSQL.
   */
  private async setThumbnail(runId: string, workflowId: string, first: ArtifactRef, result: WorkerRunResult): Promise<void> {
    const source = result.artifacts.find((a) => a.nodeId === first.nodeId && a.filename === first.filename);
    let thumbId: string | null = null;
    if (source) {
      try {
        const t = await makeThumbnail(source.bytes);
        const file = await this.store.put(t.bytes);
        const row = await this.db.artifact.create({
          data: {
            runId, nodeId: first.nodeId, kind: 'thumbnail', filename: `${first.nodeId}-thumbnail.webp`, mime: file.mime,
            sha256: file.sha256, size: file.size, width: t.width, height: t.height, path: file.path,
          },
        });
        thumbId = row.id;
      } catch {
        // An output sharp cannot read still gets a card: the full image stands in.
      }
    }
    await this.db.$executeRaw`UPDATE "Workflow" SET "lastOutputArtifactId" = ${first.id}, "thumbnailArtifactId" = ${thumbId} WHERE "id" = ${workflowId} AND "ownerId" IS NOT DISTINCT FROM (SELECT "userId" FROM "Run" WHERE "id" = ${runId})`;
  }

  async fail(runId: string, f: RunFailure, node?: { id: string; type: string; ms: number }): Promise<void> {
    this.recorded.delete(runId);
    if (node) {
      await this.nodeResults.write({ runId, nodeId: node.id, type: node.type, status: f.status === 'cancelled' ? 'cancelled' : 'failed', ms: node.ms, ortMs: 0, cached: false });
    }
    const ended = await this.db.run.update({
      where: { id: runId },
      data: { status: f.status, finishedAt: new Date(), errorNodeId: f.nodeId ?? null, errorCode: f.code, errorMessage: f.message },
    });
    this.metrics?.runEnded(ended);
  }

  /**
   * Drops the stored steps and Preview Image pictures of all but the newest `keep` runs that have any (and steps of
   * runs no longer in the database). Every run's end asks for it; a batch of 16 ends at once, so calls made while one
   * prune runs share the next one.
   */
  prunePreviews(keep: number): Promise<number> {
    return this.prunes.run('', () => this.pruneNow(keep));
  }

  private async pruneNow(keep: number): Promise<number> {
    return (await this.pruneStepFiles(keep)) + (await this.pruneTempArtifacts(keep));
  }

  private async pruneStepFiles(keep: number): Promise<number> {
    const ids = await this.steps.runIds();
    if (!ids.length) return 0;
    const known = await this.db.run.findMany({ where: { id: { in: ids } }, orderBy: [{ queuedAt: 'desc' }, { id: 'desc' }], select: { id: true } });
    const kept = new Set(known.slice(0, keep).map((r) => r.id));
    const doomed = ids.filter((id) => !kept.has(id));
    for (const id of doomed) await this.steps.remove(id);
    return doomed.length;
  }

  /** Preview Image pictures, and step JPEGs (x0 and latent) an earlier version stored; files go when unreferenced. */
  private async pruneTempArtifacts(keep: number): Promise<number> {
    const kind = { in: [...PRUNED_KINDS] };
    const old = await this.db.run.findMany({
      where: { artifacts: { some: { kind } } },
      orderBy: [{ queuedAt: 'desc' }, { id: 'desc' }],
      skip: keep,
      select: { id: true },
    });
    if (!old.length) return 0;
    const runIds = old.map((r) => r.id);
    const doomed = await this.db.artifact.findMany({ where: { runId: { in: runIds }, kind }, select: { sha256: true, path: true } });
    await this.db.artifact.deleteMany({ where: { runId: { in: runIds }, kind } });
    const paths = new Map(doomed.map((d) => [d.sha256, d.path]));
    const stillUsed = await this.db.artifact.findMany({ where: { sha256: { in: [...paths.keys()] } }, select: { sha256: true } });
    for (const s of stillUsed) paths.delete(s.sha256);
    for (const p of paths.values()) await this.store.remove(p);
    return runIds.length;
  }
}
