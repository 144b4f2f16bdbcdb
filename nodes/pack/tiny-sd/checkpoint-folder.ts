// A tiny-sd checkpoint folder in the diffusers ONNX layout with a U-Net variant (ControlNet residual inputs,
// 9-channel inpainting); text encoder, VAE and tokenizer are tiny-sd's.
import fs from 'node:fs';
import path from 'node:path';
import { ClipTokenizer } from '../../text';
import { writePipelineIndex } from '../diffusers-layout';
import { buildTinyTextEncoder } from './text-encoder';
import { buildTinyUnet } from './unet';
import { buildTinyVaeDecoder, buildTinyVaeEncoder } from './vae';

/** Writes models/<rel>/ and returns its files relative to modelsDir. */
export function writeTinySdFolder(modelsDir: string, rel: string, unet: Parameters<typeof buildTinyUnet>[0], docString: string): string[] {
  const dir = path.join(modelsDir, rel);
  fs.rmSync(dir, { recursive: true, force: true });
  writePipelineIndex(dir);
  ClipTokenizer.fromOpenAiGz().writeHfFolder(path.join(dir, 'tokenizer'));
  buildTinyUnet(unet).graph.save(path.join(dir, 'unet', 'model.onnx'), { docString });
  buildTinyTextEncoder().graph.save(path.join(dir, 'text_encoder', 'model.onnx'));
  buildTinyVaeDecoder().save(path.join(dir, 'vae_decoder', 'model.onnx'));
  buildTinyVaeEncoder().save(path.join(dir, 'vae_encoder', 'model.onnx'));
  const files = (sub: string): string[] => fs.readdirSync(path.join(modelsDir, sub), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? files(`${sub}/${e.name}`) : [`${sub}/${e.name}`]));
  return files(rel);
}
