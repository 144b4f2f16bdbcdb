// Sampler steps kept for the debugger's timeline: one append-only file per run, DATA_DIR/steps/<runId>.steps, each
// record a step's sigma/timestep/stats and its two latents as float16 (8 KB each for a 4x32x32 latent). Pictures are
// drawn from them only when someone looks (frame-http.ts). Files, not rows: bytes stay out of the database, as the
// artifacts do; the newest PREVIEW_RUNS_KEPT runs keep theirs (RunRecorder.prunePreviews).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { StepInfo, StepLatents } from '../../nodes/engine/step-latents';
import { float16ToFloat32, float32ToFloat16 } from '../../nodes/runtime/float16';

/** Record = MAGIC, header length (u32 LE), payload length (u32 LE), header JSON, payload (x0 then latent, float16 LE). */
const MAGIC = 0x31534653; // "SFS1" read as a little-endian u32
const PREFIX = 12;
const RUN_ID = /^[A-Za-z0-9_-]{1,100}$/;
const EXT = '.steps';
// Latents are copied as typed arrays, in the host's byte order; every platform Node runs StepFlow on is little-endian.
if (os.endianness() !== 'LE') throw new Error('server/steps/step-store.ts stores float16 little-endian and needs a little-endian host');

/**
 * What a record says about its step (the engine's StepInfo; the file names the run), and where it starts in the run's
 * file (its id in frame URLs).
 */
export type StoredStep = Omit<StepInfo, 'runId'> & { offset: number };

type Header = Omit<StoredStep, 'offset'>;

export interface StepRecord {
  info: StoredStep;
  x0: Float32Array;
  latent?: Float32Array;
}

/** Run ids are cuids: anything else never names a file (no path tricks). */
export function isStepRunId(runId: string): boolean {
  return RUN_ID.test(runId);
}

function encodeRecord(s: StepLatents): Buffer {
  const header: Header = {
    nodeId: s.nodeId, step: s.step, total: s.total, sigma: s.sigma, timestep: s.timestep,
    stats: s.stats, dims: s.dims, latentRgb: s.latentRgb, hasLatent: s.latent !== undefined,
  };
  const json = Buffer.from(JSON.stringify(header));
  const halves = [float32ToFloat16(s.x0), ...(s.latent ? [float32ToFloat16(s.latent)] : [])];
  const payload = halves.reduce((n, h) => n + h.byteLength, 0);
  const prefix = Buffer.allocUnsafe(PREFIX);
  prefix.writeUInt32LE(MAGIC, 0);
  prefix.writeUInt32LE(json.length, 4);
  prefix.writeUInt32LE(payload, 8);
  return Buffer.concat([prefix, json, ...halves.map((h) => new Uint8Array(h.buffer, h.byteOffset, h.byteLength))]);
}

function halvesAt(buf: Buffer, at: number, count: number): Float32Array {
  // Copied into a fresh, aligned buffer: a Uint16Array cannot start at an odd offset.
  return float16ToFloat32(new Uint16Array(new Uint8Array(buf.subarray(at, at + 2 * count)).buffer));
}

/** The record's sizes and header at `offset` of `buf`, or undefined where no whole, well-formed record starts. */
function parseAt(buf: Buffer, offset: number): { header: Header; headerEnd: number; end: number } | undefined {
  if (offset + PREFIX > buf.length || buf.readUInt32LE(offset) !== MAGIC) return undefined;
  const headerEnd = offset + PREFIX + buf.readUInt32LE(offset + 4);
  const end = headerEnd + buf.readUInt32LE(offset + 8);
  if (end > buf.length) return undefined; // a record still being written
  try {
    const header = JSON.parse(buf.toString('utf8', offset + PREFIX, headerEnd)) as Header;
    const n = header.dims[0] * header.dims[1] * header.dims[2];
    if (end - headerEnd !== 2 * n * (header.hasLatent ? 2 : 1)) return undefined;
    return { header, headerEnd, end };
  } catch {
    return undefined;
  }
}

export class StepStore {
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'steps');
  }

  private file(runId: string): string {
    if (!isStepRunId(runId)) throw new Error(`not a run id: ${JSON.stringify(runId.slice(0, 40))}`);
    return path.join(this.dir, `${runId}${EXT}`);
  }

  /** Appends the steps (one write); a step stored twice (a retried record, a requeued run) reads as its newest copy. */
  async append(runId: string, steps: StepLatents[]): Promise<void> {
    if (!steps.length) return;
    await fs.promises.mkdir(this.dir, { recursive: true });
    await fs.promises.appendFile(this.file(runId), Buffer.concat(steps.map(encodeRecord)));
  }

  /**
   * The run's stored steps of one node, by step (newest copy of each); [] when none or pruned. Reads the records'
   * headers only: the latents (most of the file) are skipped.
   */
  async list(runId: string, nodeId: string): Promise<StoredStep[]> {
    const byStep = new Map<number, StoredStep>();
    await this.scan(runId, (s) => { if (s.nodeId === nodeId) byStep.set(s.step, s); });
    return [...byStep.values()].sort((a, b) => a.step - b.step);
  }

  /** The nodes that have stored steps in the run, in the order they first stored one, with their step counts. */
  async nodes(runId: string): Promise<{ nodeId: string; steps: number }[]> {
    const steps = new Map<string, Set<number>>();
    await this.scan(runId, (s) => steps.set(s.nodeId, (steps.get(s.nodeId) ?? new Set()).add(s.step)));
    return [...steps].map(([nodeId, set]) => ({ nodeId, steps: set.size }));
  }

  /** Each whole record's header in file order (the latents, most of the file, are skipped). */
  private async scan(runId: string, each: (s: StoredStep) => void): Promise<void> {
    const fh = await this.open(runId);
    if (!fh) return;
    try {
      const prefix = Buffer.alloc(PREFIX);
      const size = (await fh.stat()).size;
      for (let offset = 0; ;) {
        // The end, a record still being written, or damage: what came before stands.
        if ((await fh.read(prefix, 0, PREFIX, offset)).bytesRead < PREFIX || prefix.readUInt32LE(0) !== MAGIC) break;
        const headerLength = prefix.readUInt32LE(4);
        const end = offset + PREFIX + headerLength + prefix.readUInt32LE(8);
        if (headerLength > 1 << 20 || end > size) break;
        const json = Buffer.alloc(headerLength);
        await fh.read(json, 0, headerLength, offset + PREFIX);
        let header: Header;
        try {
          header = JSON.parse(json.toString('utf8')) as Header;
        } catch {
          break;
        }
        each({ offset, ...header });
        offset = end;
      }
    } finally {
      await fh.close();
    }
  }

  /** The record starting at `offset` of the run's file, or undefined if none starts there. */
  async read(runId: string, offset: number): Promise<StepRecord | undefined> {
    if (!Number.isSafeInteger(offset) || offset < 0) return undefined;
    const fh = await this.open(runId);
    if (!fh) return undefined;
    try {
      const prefix = Buffer.alloc(PREFIX);
      if ((await fh.read(prefix, 0, PREFIX, offset)).bytesRead < PREFIX || prefix.readUInt32LE(0) !== MAGIC) return undefined;
      const length = PREFIX + prefix.readUInt32LE(4) + prefix.readUInt32LE(8);
      if (length > 1 << 30) return undefined;
      const buf = Buffer.alloc(length);
      if ((await fh.read(buf, 0, length, offset)).bytesRead < length) return undefined;
      const r = parseAt(buf, 0);
      if (!r) return undefined;
      const n = r.header.dims[0] * r.header.dims[1] * r.header.dims[2];
      return {
        info: { offset, ...r.header },
        x0: halvesAt(buf, r.headerEnd, n),
        latent: r.header.hasLatent ? halvesAt(buf, r.headerEnd + 2 * n, n) : undefined,
      };
    } finally {
      await fh.close();
    }
  }

  /** Runs that have a steps file. */
  async runIds(): Promise<string[]> {
    const names = await fs.promises.readdir(this.dir).catch(() => [] as string[]);
    return names.filter((n) => n.endsWith(EXT)).map((n) => n.slice(0, -EXT.length)).filter(isStepRunId);
  }

  async remove(runId: string): Promise<void> {
    await fs.promises.rm(this.file(runId), { force: true });
  }

  private async open(runId: string): Promise<fs.promises.FileHandle | undefined> {
    if (!isStepRunId(runId)) return undefined;
    try {
      return await fs.promises.open(this.file(runId), 'r');
    } catch {
      return undefined;
    }
  }
}
