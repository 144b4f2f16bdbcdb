// The only file types the server stores and serves as images, recognised by their magic bytes: a worker's (or a
// file name's) claim is never trusted, so nothing served from this origin can be HTML or script in disguise.
import fs from 'node:fs';

export type ImageKind = 'png' | 'jpeg' | 'webp';

export const IMAGE_MIME: Readonly<Record<ImageKind, string>> = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' };
export const IMAGE_EXT: Readonly<Record<ImageKind, string>> = { png: 'png', jpeg: 'jpg', webp: 'webp' };
/** Bytes needed to tell the kinds apart (WebP: "RIFF" <size> "WEBP"). */
export const SNIFF_BYTES = 12;

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const ascii = (bytes: Uint8Array, at: number, text: string) =>
  bytes.length >= at + text.length && [...text].every((c, i) => bytes[at + i] === c.charCodeAt(0));

export function sniffImage(bytes: Uint8Array): ImageKind | null {
  if (bytes.length >= PNG.length && PNG.every((b, i) => bytes[i] === b)) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'WEBP')) return 'webp';
  return null;
}

/** The kind of an image file on disk, from its first bytes (null: not an allowed image, or unreadable). */
export async function sniffImageFile(file: string): Promise<ImageKind | null> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const head = new Uint8Array(SNIFF_BYTES);
    const { bytesRead } = await fh.read(head, 0, SNIFF_BYTES, 0);
    return sniffImage(head.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}

const NOT_AN_IMAGE = 'is not a PNG, JPEG or WebP image (checked by its content); only those are stored and served';

/** Bytes that are not a PNG, JPEG or WebP image: refused before anything is written. */
export class NotAnImageError extends Error {
  readonly code = 'not_an_image';
  constructor(what: string) {
    super(`${what} ${NOT_AN_IMAGE}`);
    this.name = 'NotAnImageError';
  }
}

/** A run's output (or inspector picture) that is not an allowed image: the run fails with this, naming the node. */
export class ArtifactRejectedError extends Error {
  readonly code = 'artifact_rejected';
  constructor(readonly nodeId: string, what: string) {
    super(`node "${nodeId}" produced ${what}, which ${NOT_AN_IMAGE}`);
    this.name = 'ArtifactRejectedError';
  }
}
