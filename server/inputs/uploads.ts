// Uploaded input images: checked by decoding (a PNG, JPEG or WebP of sane size, whatever the file is called),
// stored once per content as DATA_DIR/inputs/<sha256[0:32]>.<ext>, and recorded for their uploader's picker.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp, { type Metadata } from 'sharp';

export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;
const FORMATS: Record<string, { ext: string; mime: string }> = {
  png: { ext: 'png', mime: 'image/png' },
  jpeg: { ext: 'jpg', mime: 'image/jpeg' },
  webp: { ext: 'webp', mime: 'image/webp' },
};
/** The names uploads get; anything else in the input folders (shipped examples) keeps its own name. */
export const UPLOAD_NAME = /^[0-9a-f]{32}\.(png|jpg|webp)$/;

export class UploadError extends Error {
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'UploadError';
  }
}

export interface StoredUpload {
  name: string;
  mime: string;
  size: number;
  width: number;
  height: number;
}

export function inputsDir(dataDir: string): string {
  return path.join(dataDir, 'inputs');
}

/** `maxPixels` is MAX_IMAGE_PIXELS: what Load Image would refuse to decode is refused here already. */
export async function storeUpload(dataDir: string, originalName: string, bytes: Uint8Array, maxPixels: number): Promise<StoredUpload> {
  if (bytes.byteLength === 0) throw new UploadError(originalName, 'the file is empty');
  if (bytes.byteLength > MAX_UPLOAD_BYTES) {
    throw new UploadError(originalName, `the file is ${(bytes.byteLength / 2 ** 20).toFixed(1)} MB; images up to ${MAX_UPLOAD_BYTES / 2 ** 20} MB can be uploaded`);
  }
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (e) {
    throw new UploadError(originalName, `not an image this server can read (${(e as Error).message}); upload a PNG, JPEG or WebP`);
  }
  const format = FORMATS[meta.format ?? ''];
  if (!format) throw new UploadError(originalName, `${meta.format ?? 'unknown'} images are not accepted; upload a PNG, JPEG or WebP`);
  if (!meta.width || !meta.height) throw new UploadError(originalName, 'the image has no size');
  if (meta.width * meta.height > maxPixels) {
    throw new UploadError(originalName,
      `${meta.width}x${meta.height} (${(meta.width * meta.height).toLocaleString('en')} pixels) is above MAX_IMAGE_PIXELS (${maxPixels.toLocaleString('en')}); upload a smaller image`);
  }
  const name = `${crypto.createHash('sha256').update(bytes).digest('hex').slice(0, 32)}.${format.ext}`;
  const file = path.join(inputsDir(dataDir), name);
  if (!fs.existsSync(file)) {
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    // Write-then-rename: a worker never reads half a file under a valid name.
    const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
    await fs.promises.writeFile(tmp, bytes);
    await fs.promises.rename(tmp, file);
  }
  return { name, mime: format.mime, size: bytes.byteLength, width: meta.width, height: meta.height };
}
