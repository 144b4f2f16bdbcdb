// Library thumbnails: the newest output shrunk to fit 256 × 256 as WebP (a few KB instead of a full PNG per card).
import sharp from 'sharp';

export const THUMBNAIL_SIZE = 256;

export interface Thumbnail { bytes: Uint8Array; width: number; height: number; mime: 'image/webp' }

export async function makeThumbnail(image: Uint8Array): Promise<Thumbnail> {
  const { data, info } = await sharp(image)
    // Never enlarge a small output; keep its aspect ratio inside the square.
    .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 82 })
    .toBuffer({ resolveWithObject: true });
  return { bytes: new Uint8Array(data), width: info.width, height: info.height, mime: 'image/webp' };
}
