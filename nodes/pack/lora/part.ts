// Pack part: models/loras/sprites-palette.safetensors, the demo LoRA (kohya keys) for the sprites U-Net.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSafetensors } from '../../runtime/safetensors';
import type { PackPart } from '../part';
import { PALETTE_LORA_RANK, paletteLoraTensors } from './palette-lora';

export const SPRITES_PALETTE_LORA = 'loras/sprites-palette.safetensors';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export async function writePaletteLora(modelsDir: string): Promise<string[]> {
  const file = path.join(modelsDir, SPRITES_PALETTE_LORA);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeSafetensors(file, paletteLoraTensors(), {
    ss_network_module: 'networks.lora',
    ss_network_dim: String(PALETTE_LORA_RANK),
    ss_network_alpha: String(PALETTE_LORA_RANK),
    stepflow_description: 'Demo LoRA for the built-in sprites checkpoint: a colour grade of the sprite palette ' +
      '(strength 1 = full grade, 0.5 = half-way, 0 = none). Patches the U-Net\'s conv_out only.',
  });
  return [SPRITES_PALETTE_LORA];
}

export const part: PackPart = {
  name: 'lora',
  sources: [
    here('./part.ts'), here('./palette-lora.ts'), here('../vae.ts'), here('../sprites/palette.ts'),
    here('../../runtime/safetensors.ts'), here('../../runtime/float16.ts'),
  ],
  generate: writePaletteLora,
};
