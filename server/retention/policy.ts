// What the retention sweep may delete (RETENTION_* in server/env.ts); every limit 0 = keep everything.
export interface RetentionPolicy {
  /** Finished runs older than this many days go, with their node results and artifacts. */
  runDays: number;
  /** Artifact files (distinct contents) beyond this many bytes go, oldest finished runs' first. */
  outputBytes: number;
  /** Uploads older than this many days that no saved workflow version (nor an unfinished run) uses go. */
  uploadDays: number;
}

export function retentionEnabled(p: RetentionPolicy): boolean {
  return p.runDays > 0 || p.outputBytes > 0 || p.uploadDays > 0;
}

/** Run states that are over; queued, running and paused runs are never touched. */
export const FINISHED_RUN_STATES = ['succeeded', 'failed', 'cancelled', 'interrupted'];

export const DAY_MS = 24 * 60 * 60 * 1000;
