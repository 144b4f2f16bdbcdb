// Pack part: ControlNet on tiny-sd. models/controlnet/tiny-sd-controlnet.onnx (the random tiny ControlNet) and
// models/checkpoints/tiny-sd-controlnet/, tiny-sd with a U-Net that also takes the ControlNet residuals (same weights:
// without a ControlNet it samples exactly what tiny-sd does). Real ControlNet U-Net exports are separate folders too
// (onnx-web, the DirectML forks): a plain export cannot take residuals.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PackPart } from '../part';
import { writeTinySdFolder } from './checkpoint-folder';
import { buildTinyControlNet } from './controlnet';

export const TINY_SD_CONTROLNET_CHECKPOINT = 'checkpoints/tiny-sd-controlnet';
export const TINY_SD_CONTROLNET = 'controlnet/tiny-sd-controlnet.onnx';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

async function writeTinySdControlNet(modelsDir: string): Promise<string[]> {
  const folder = writeTinySdFolder(modelsDir, TINY_SD_CONTROLNET_CHECKPOINT, { controlResiduals: true }, 'StepFlow tiny SD-shaped U-Net with ControlNet residual inputs (random weights)');
  const controlnet = path.join(modelsDir, TINY_SD_CONTROLNET);
  fs.mkdirSync(path.dirname(controlnet), { recursive: true });
  buildTinyControlNet().save(controlnet, { docString: 'StepFlow tiny ControlNet for checkpoints/tiny-sd-controlnet (random weights)' });
  return [...folder, TINY_SD_CONTROLNET].sort();
}

export const controlNetPart: PackPart = {
  name: 'tiny-sd-controlnet',
  sources: [
    here('./controlnet-part.ts'), here('./controlnet.ts'), here('./checkpoint-folder.ts'), here('../diffusers-layout.ts'), here('../../models/defaults.ts'), here('./layers.ts'), here('./unet.ts'),
    here('./text-encoder.ts'), here('./vae.ts'), here('../../onnx/builder.ts'), here('../../onnx/proto.ts'), here('../../runtime/float16.ts'),
    here('../../text/bpe-files.ts'), here('../../text/bpe-vocab.ts'), here('../../text/clip-tokenizer.ts'), here('../../text/data/bpe_simple_vocab_16e6.txt.gz'),
  ],
  generate: writeTinySdControlNet,
};
