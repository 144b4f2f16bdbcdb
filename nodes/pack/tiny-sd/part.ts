// Pack part: models/checkpoints/tiny-sd/, a random-weight SD-shaped model in the diffusers ONNX layout
// (tests of the loaders and of LoRA key mapping against real-world names), and its kohya LoRA
// models/loras/tiny-sd-kohya.safetensors.
import fs from 'node:fs';
import path from 'node:path';
import { writePipelineIndex } from '../diffusers-layout';
import { fileURLToPath } from 'node:url';
import { ClipTokenizer } from '../../text';
import { writeSafetensors } from '../../runtime/safetensors';
import type { PackPart } from '../part';
import { tinySdLoraTensors, TINY_LORA_ALPHA, TINY_LORA_RANK } from './lora';
import { buildTinyTextEncoder } from './text-encoder';
import { buildTinyUnet, TINY_CONTEXT_DIM } from './unet';
import { WeightRandom } from './layers';
import { buildTinyVaeDecoder, buildTinyVaeEncoder } from './vae';

export const TINY_SD_CHECKPOINT = 'checkpoints/tiny-sd';
export const TINY_SD_LORA = 'loras/tiny-sd-kohya.safetensors';
/** A textual inversion for its text encoder: two random vectors (A1111's emb_params), prompted as embedding:tiny-sd-demo. */
export const TINY_SD_EMBEDDING = 'embeddings/tiny-sd-demo.safetensors';


const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/** Like a diffusers/Optimum export: no stepflow.json and no VAE config, so loaders take SD 1.5 defaults. */
export async function writeTinySd(modelsDir: string): Promise<string[]> {
  const dir = path.join(modelsDir, TINY_SD_CHECKPOINT);
  fs.rmSync(dir, { recursive: true, force: true });
  writePipelineIndex(dir);
  ClipTokenizer.fromOpenAiGz().writeHfFolder(path.join(dir, 'tokenizer'));
  const unet = buildTinyUnet();
  unet.graph.save(path.join(dir, 'unet', 'model.onnx'), { externalData: { location: 'weights.pb' }, docString: 'StepFlow tiny SD-shaped U-Net (random weights)' });
  const textEncoder = buildTinyTextEncoder();
  textEncoder.graph.save(path.join(dir, 'text_encoder', 'model.onnx'));
  buildTinyVaeDecoder().save(path.join(dir, 'vae_decoder', 'model.onnx'));
  buildTinyVaeEncoder().save(path.join(dir, 'vae_encoder', 'model.onnx'));

  const lora = path.join(modelsDir, TINY_SD_LORA);
  fs.mkdirSync(path.dirname(lora), { recursive: true });
  writeSafetensors(lora, tinySdLoraTensors({ unet: unet.modules, textEncoder: textEncoder.modules }), {
    ss_network_module: 'networks.lora',
    ss_network_dim: String(TINY_LORA_RANK),
    ss_network_alpha: String(TINY_LORA_ALPHA),
    stepflow_description: 'Random LoRA covering every linear and conv layer of checkpoints/tiny-sd (tests).',
  });
  const embedding = path.join(modelsDir, TINY_SD_EMBEDDING);
  fs.mkdirSync(path.dirname(embedding), { recursive: true });
  writeSafetensors(embedding, { emb_params: { shape: [2, TINY_CONTEXT_DIM], data: new WeightRandom(0xe4b).values(2 * TINY_CONTEXT_DIM, 1), dtype: 'F32' } }, {
    stepflow_description: 'Textual-inversion demo for checkpoints/tiny-sd: two random token vectors (tests).',
  });
  const files = (sub: string): string[] => fs.readdirSync(path.join(modelsDir, sub), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? files(`${sub}/${e.name}`) : [`${sub}/${e.name}`]));
  return [...files(TINY_SD_CHECKPOINT), TINY_SD_LORA, TINY_SD_EMBEDDING].sort();
}

export const part: PackPart = {
  name: 'tiny-sd',
  sources: [
    here('./part.ts'), here('../diffusers-layout.ts'), here('../../models/defaults.ts'), here('./layers.ts'), here('./unet.ts'), here('./text-encoder.ts'), here('./vae.ts'), here('./lora.ts'),
    here('../../onnx/builder.ts'), here('../../onnx/proto.ts'), here('../../runtime/float16.ts'), here('../../runtime/safetensors.ts'),
    here('../../text/bpe-files.ts'), here('../../text/bpe-vocab.ts'), here('../../text/clip-tokenizer.ts'), here('../../text/data/bpe_simple_vocab_16e6.txt.gz'),
  ],
  generate: writeTinySd,
};
