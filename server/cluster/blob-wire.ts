// How a worker host's records cross HTTP: JSON in which every byte array (an output image, a step preview) is
// replaced by {"$blob": "<sha256>"} after the bytes were uploaded once to PUT /api/workers/blobs/<sha256>. The
// store is content-addressed, so a retried upload, or the same preview twice, costs nothing.
import crypto from 'node:crypto';

export interface BlobRef {
  $blob: string;
}

export function sha256Hex(bytes: Uint8Array): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

function isBlobRef(v: unknown): v is BlobRef {
  return typeof v === 'object' && v !== null && Object.keys(v).length === 1 && typeof (v as BlobRef).$blob === 'string';
}

/** Worker side: uploads each byte array (through `upload`) and returns the value with references in their place. */
export async function packBlobs(value: unknown, upload: (sha256: string, bytes: Uint8Array) => Promise<void>): Promise<unknown> {
  if (value instanceof Uint8Array) {
    const sha256 = sha256Hex(value);
    await upload(sha256, value);
    return { $blob: sha256 } satisfies BlobRef;
  }
  if (Array.isArray(value)) {
    const out = [];
    for (const v of value) out.push(await packBlobs(v, upload));
    return out;
  }
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await packBlobs(v, upload);
    return out;
  }
  return value;
}

export class MissingBlobError extends Error {
  constructor(readonly sha256: string) {
    super(`blob ${sha256} was never uploaded (PUT /api/workers/blobs/${sha256} first)`);
    this.name = 'MissingBlobError';
  }
}

/** Server side: the value with every reference replaced by the stored bytes; a reference to nothing is refused. */
export async function unpackBlobs(value: unknown, read: (sha256: string) => Promise<Uint8Array | undefined>): Promise<unknown> {
  if (isBlobRef(value)) {
    const bytes = await read(value.$blob);
    if (!bytes) throw new MissingBlobError(value.$blob);
    return bytes;
  }
  if (Array.isArray(value)) {
    const out = [];
    for (const v of value) out.push(await unpackBlobs(v, read));
    return out;
  }
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await unpackBlobs(v, read);
    return out;
  }
  return value;
}
