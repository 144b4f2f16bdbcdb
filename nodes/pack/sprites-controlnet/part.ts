// Pack part: the exact ControlNet pair for the sprites model. models/controlnet/sprites-canny.onnx (edges of a hint ->
// log-weights per sprite, controlnet.ts) and models/checkpoints/sprites-controlnet/, the sprites folder with a U-Net
// that takes the residuals (onnx-web's input names); without a ControlNet it samples exactly what checkpoints/sprites does.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SPRITES_SOURCES, writeSpritesFolder } from '../checkpoint';
import type { PackPart } from '../part';
import { buildSpritesControlNet } from './controlnet';

export const SPRITES_CONTROLNET_CHECKPOINT = 'checkpoints/sprites-controlnet';
export const SPRITES_CONTROLNET = 'controlnet/sprites-canny.onnx';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

async function writeSpritesControlNet(modelsDir: string): Promise<string[]> {
  const folder = writeSpritesFolder(modelsDir, SPRITES_CONTROLNET_CHECKPOINT, { controlResiduals: true },
    'The built-in sprites model with ControlNet residual inputs: pair it with controlnet/sprites-canny.onnx, whose hint edges pick the shape and size.');
  const file = path.join(modelsDir, SPRITES_CONTROLNET);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  buildSpritesControlNet().save(file, { docString: 'StepFlow sprites ControlNet: Canny edges of a hint -> a log-weight per sprite for checkpoints/sprites-controlnet' });
  return [...folder, SPRITES_CONTROLNET].sort();
}

export const part: PackPart = {
  name: 'sprites-controlnet',
  sources: [...SPRITES_SOURCES, here('./part.ts'), here('./controlnet.ts'), here('../sprites/shapes.ts')],
  generate: writeSpritesControlNet,
};
