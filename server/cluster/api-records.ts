// RunRecords for a scaled worker host: the RunEventRelay records through the worker API instead of a database.
// Byte arrays travel as uploaded blobs (blob-wire.ts); the server runs the very same RunRecorder on them.
import type { ArtifactRef, RunEventMap } from '../../nodes/engine/events';
import type { StepLatents } from '../../nodes/engine/step-latents';
import type { RunFailure, RunRecords } from '../queue/run-recorder';
import type { WorkerRunResult } from '../worker/protocol';
import type { WorkerApiClient } from './api-client';
import { packBlobs } from './blob-wire';
import { stepsToWire } from './step-wire';

export class ApiRecords implements RunRecords {
  constructor(private readonly api: WorkerApiClient, private readonly workerId: string) {}

  private async record(runId: string, op: Record<string, unknown>): Promise<Record<string, unknown>> {
    const body = await packBlobs({ ...op, workerId: this.workerId }, (sha, bytes) => this.api.putBlob(sha, bytes));
    return this.api.record(runId, body);
  }

  async nodeFinished(e: RunEventMap['node:finished']): Promise<void> {
    await this.record(e.runId, { op: 'node-finished', event: e });
  }

  async storeSteps(runId: string, steps: StepLatents[]): Promise<void> {
    for (const batch of stepsToWire(steps)) await this.record(runId, { op: 'steps', steps: batch });
  }

  async finish(run: { runId: string }, result: WorkerRunResult): Promise<ArtifactRef[]> {
    const answer = await this.record(run.runId, { op: 'finish', result });
    return answer.refs as ArtifactRef[];
  }

  async fail(runId: string, failure: RunFailure, node?: { id: string; type: string; ms: number }): Promise<void> {
    await this.record(runId, { op: 'fail', failure, node });
  }

  /** The server prunes old step previews itself after each finish (worker-api.ts). */
  async prunePreviews(): Promise<number> {
    return 0;
  }
}
