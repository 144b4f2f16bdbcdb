// Test helper: every node definition this package adds, to run graphs before (or regardless of)
// their registration in nodes/registry.ts.
import type { AnyNodeDefinition } from '../../define';
import { registry } from '../../registry';
import { checkpointLoader } from '../../defs/loaders/checkpoint-loader';
import { unetLoader } from '../../defs/loaders/unet-loader';
import { clipLoader } from '../../defs/loaders/clip-loader';
import { vaeLoader } from '../../defs/loaders/vae-loader';
import { refinerLoader } from '../../defs/loaders/refiner-loader';
import { upscalerLoader } from '../../defs/loaders/upscaler-loader';
import { textEncoder } from '../../defs/conditioning/text-encoder';
import { emptyLatent } from '../../defs/latent/empty-latent';
import { vaeDecode } from '../../defs/latent/vae-decode';
import { vaeEncode } from '../../defs/latent/vae-encode';
import { sampler } from '../../defs/sampling/sampler';
import { refiner } from '../../defs/sampling/refiner';

export const MODEL_NODES: readonly AnyNodeDefinition[] = [
  checkpointLoader, unetLoader, clipLoader, vaeLoader, refinerLoader, upscalerLoader,
  textEncoder, emptyLatent, vaeDecode, vaeEncode, sampler, refiner,
];

/** The registry's nodes with this package's added (or replacing same-named ones). */
export function allNodes(extra: readonly AnyNodeDefinition[] = []): AnyNodeDefinition[] {
  const byType = new Map<string, AnyNodeDefinition>(registry);
  for (const d of [...MODEL_NODES, ...extra]) byType.set(d.type, d);
  return [...byType.values()];
}
