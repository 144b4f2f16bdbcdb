// Preview Image: an output node whose pictures are shown (on the node, in the run's results) but not kept as outputs.
import { defineNode } from '../../define';
import { encodeImage } from '../../runtime/image';

export const previewImage = defineNode({
  type: 'preview_image',
  version: 1,
  title: 'Preview Image',
  category: 'image',
  description: 'Shows the image(s) on the node and in the results without saving them: not in the gallery, cleaned up with older runs.',
  output: true,
  inputs: { images: { type: 'IMAGE' } },
  params: {},
  outputs: {},
  async execute(ctx, { images }) {
    for (let b = 0; b < images.dims[0]; b++) {
      // Named by batch index only: no filename prefix, since nothing is written where saved outputs go.
      const { bytes, width, height } = await encodeImage(images, { format: 'png', batchIndex: b });
      ctx.artifact({ kind: 'temp', filename: `preview_${String(b).padStart(3, '0')}.png`, mime: 'image/png', bytes, width, height });
    }
    return {};
  },
});
