// Content-addressed artifact files under DATA_DIR/artifacts/<sha256[0:2]>/<sha256>.<ext>.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { IMAGE_EXT, IMAGE_MIME, NotAnImageError, sniffImage } from './image-kind';

export interface StoredFile {
  sha256: string;
  size: number;
  /** Relative to the data directory, with forward slashes. */
  path: string;
  /** The MIME type of the verified content (never what the producer claimed). */
  mime: string;
}

export function artifactUrl(id: string): string {
  return `/api/artifacts/${encodeURIComponent(id)}`;
}

export class ArtifactStore {
  constructor(readonly dataDir: string) {}

  /**
   * Writes bytes once per content; identical images share a file. Only PNG, JPEG and WebP are accepted, by their
   * magic bytes (`what` names the file in the error); the extension comes from the content, so it is the verified kind.
   */
  async put(bytes: Uint8Array, opts: { what?: string } = {}): Promise<StoredFile> {
    const what = opts.what ?? 'the artifact';
    const kind = sniffImage(bytes);
    if (!kind) throw new NotAnImageError(what);
    const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
    const rel = `artifacts/${sha256.slice(0, 2)}/${sha256}.${IMAGE_EXT[kind]}`;
    const full = this.absolute(rel);
    if (!fs.existsSync(full)) {
      await fs.promises.mkdir(path.dirname(full), { recursive: true });
      // Write-then-rename so a crash never leaves a truncated file under a valid hash name.
      const tmp = `${full}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
      await fs.promises.writeFile(tmp, bytes);
      await fs.promises.rename(tmp, full);
    }
    return { sha256, size: bytes.byteLength, path: rel, mime: IMAGE_MIME[kind] };
  }

  /** The bytes stored under this hash (any image kind), or undefined: how scaled mode's uploaded blobs are found. */
  async read(sha256: string): Promise<Uint8Array | undefined> {
    if (!/^[0-9a-f]{64}$/.test(sha256)) return undefined;
    for (const ext of Object.values(IMAGE_EXT)) {
      try {
        return new Uint8Array(await fs.promises.readFile(this.absolute(`artifacts/${sha256.slice(0, 2)}/${sha256}.${ext}`)));
      } catch {
        // not this kind
      }
    }
    return undefined;
  }

  absolute(rel: string): string {
    return path.join(this.dataDir, ...rel.split('/'));
  }

  async remove(rel: string): Promise<void> {
    await fs.promises.rm(this.absolute(rel), { force: true });
  }
}
