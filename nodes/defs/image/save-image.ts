// Save Image: the usual output node; encodes every batch item and hands the files to the host.
import { defineNode, param } from '../../define';
import { encodeImage, MIME, type ImageFormat } from '../../runtime/image';

const FORMATS = ['png', 'webp', 'jpeg'] as const;

export const saveImage = defineNode({
  type: 'save_image',
  version: 1,
  title: 'Save Image',
  category: 'image',
  description: 'Encodes the image(s) as PNG, WebP or JPEG and stores them as run outputs.',
  output: true,
  inputs: { images: { type: 'IMAGE' } },
  params: {
    filename_prefix: param.text({ default: 'stepflow', maxLength: 100, label: 'filename prefix' }),
    format: param.choice(FORMATS, { default: 'png' }),
    quality: param.int({ default: 92, min: 1, max: 100, description: 'JPEG/WebP quality' }),
  },
  outputs: {},
  async execute(ctx, { images }, p) {
    const prefix = p.filename_prefix.replace(/[^\w.-]+/g, '_') || 'stepflow';
    const format = p.format as ImageFormat;
    const ext = format === 'jpeg' ? 'jpg' : format;
    for (let b = 0; b < images.dims[0]; b++) {
      const { bytes, width, height } = await encodeImage(images, { format, quality: p.quality, batchIndex: b });
      ctx.artifact({ kind: 'image', filename: `${prefix}_${String(b).padStart(3, '0')}.${ext}`, mime: MIME[format], bytes, width, height });
    }
    return {};
  },
});
