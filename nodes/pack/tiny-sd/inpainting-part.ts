// Pack part: models/checkpoints/tiny-sd-inpainting/, tiny-sd with a 9-channel inpainting U-Net (runwayml's
// stable-diffusion-inpainting layout: noisy latent, mask, masked-image latent), random weights, so VAE Encode for
// Inpainting runs on a pack model.
import { fileURLToPath } from 'node:url';
import type { PackPart } from '../part';
import { writeTinySdFolder } from './checkpoint-folder';

export const TINY_SD_INPAINTING_CHECKPOINT = 'checkpoints/tiny-sd-inpainting';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export const inpaintingPart: PackPart = {
  name: 'tiny-sd-inpainting',
  sources: [
    here('./inpainting-part.ts'), here('./checkpoint-folder.ts'), here('../diffusers-layout.ts'), here('../../models/defaults.ts'), here('./layers.ts'), here('./unet.ts'),
    here('./text-encoder.ts'), here('./vae.ts'), here('../../onnx/builder.ts'), here('../../onnx/proto.ts'), here('../../runtime/float16.ts'),
    here('../../text/bpe-files.ts'), here('../../text/bpe-vocab.ts'), here('../../text/clip-tokenizer.ts'), here('../../text/data/bpe_simple_vocab_16e6.txt.gz'),
  ],
  generate: async (modelsDir) => writeTinySdFolder(modelsDir, TINY_SD_INPAINTING_CHECKPOINT, { inpainting: true }, 'StepFlow tiny SD-shaped 9-channel inpainting U-Net (random weights)').sort(),
};
