// The one frozen list of node definitions. Adding a node type = one file + one line here.
import type { AnyNodeDefinition } from './define';
import { describeNode, withAliases, type CatalogNode } from './engine/catalog';
import { comfyNamesFor } from './interop/comfyui-nodes';
import { checkpointLoader } from './defs/loaders/checkpoint-loader';
import { unetLoader } from './defs/loaders/unet-loader';
import { clipLoader } from './defs/loaders/clip-loader';
import { vaeLoader } from './defs/loaders/vae-loader';
import { refinerLoader } from './defs/loaders/refiner-loader';
import { textEncoder } from './defs/conditioning/text-encoder';
import { clipSetLastLayer } from './defs/conditioning/clip-set-last-layer';
import { reencodePrompt } from './defs/conditioning/reencode-prompt';
import { textEncoderSdxl } from './defs/conditioning/text-encoder-sdxl';
import { emptyLatent } from './defs/latent/empty-latent';
import { emptySd3Latent } from './defs/latent/empty-sd3-latent';
import { fluxGuidance } from './defs/conditioning/flux-guidance';
import { modelSamplingSd3 } from './defs/sampling/model-sampling-sd3';
import { vaeEncode } from './defs/latent/vae-encode';
import { setLatentNoiseMask } from './defs/latent/set-noise-mask';
import { vaeEncodeInpaint } from './defs/latent/vae-encode-inpaint';
import { latentUpscale } from './defs/latent/latent-upscale';
import { vaeDecode } from './defs/latent/vae-decode';
import { sampler } from './defs/sampling/sampler';
import { refiner } from './defs/sampling/refiner';
import { loadImage } from './defs/image/load-image';
import { solidColor } from './defs/image/solid-color';
import { resize } from './defs/image/resize';
import { composite } from './defs/image/composite';
import { crop } from './defs/image/crop';
import { transform } from './defs/image/transform';
import { canny } from './defs/image/canny';
import { controlNetLoader } from './defs/loaders/controlnet-loader';
import { applyControlNet } from './defs/conditioning/apply-controlnet';
import { saveImage } from './defs/image/save-image';
import { previewImage } from './defs/image/preview-image';
import { loraLoader } from './defs/loaders/lora-loader';
import { upscalerLoader } from './defs/loaders/upscaler-loader';
import { upscaleImage } from './defs/upscale/upscale-image';
import { note } from './defs/utility/note';
import { reroute } from './defs/utility/reroute';
import { primitiveInt } from './defs/utility/primitive-int';
import { primitiveFloat } from './defs/utility/primitive-float';
import { primitiveText } from './defs/utility/primitive-text';
import { primitiveSeed } from './defs/utility/primitive-seed';

const definitions: readonly AnyNodeDefinition[] = [
  checkpointLoader,
  unetLoader,
  clipLoader,
  vaeLoader,
  refinerLoader,
  controlNetLoader,
  textEncoder,
  clipSetLastLayer,
  applyControlNet,
  reencodePrompt,
  textEncoderSdxl,
  emptyLatent,
  emptySd3Latent,
  fluxGuidance,
  vaeEncode,
  setLatentNoiseMask,
  vaeEncodeInpaint,
  latentUpscale,
  vaeDecode,
  sampler,
  modelSamplingSd3,
  refiner,
  loadImage,
  solidColor,
  resize,
  composite,
  crop,
  transform,
  canny,
  saveImage,
  previewImage,
  loraLoader,
  upscalerLoader,
  upscaleImage,
  note,
  reroute,
  primitiveInt,
  primitiveFloat,
  primitiveText,
  primitiveSeed,
];

export const registry: ReadonlyMap<string, AnyNodeDefinition> = new Map(definitions.map((d) => [d.type, d]));
Object.freeze(registry);

export function getNode(type: string): AnyNodeDefinition | undefined {
  return registry.get(type);
}

let catalog: CatalogNode[] | undefined;

/** Serialisable description of every node type, for the editor and the validator. */
export function getCatalog(): CatalogNode[] {
  catalog ??= definitions.map((d) => withAliases(describeNode(d), comfyNamesFor(d.type)));
  return catalog;
}
