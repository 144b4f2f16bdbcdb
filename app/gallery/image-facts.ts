// The facts a gallery card, the viewer and the compare view list for an image, in one order, as label/value pairs.
import type { RouterOutputs } from '../lib/trpc';

export type GalleryImage = RouterOutputs['gallery']['list']['items'][number];

export interface Fact {
  label: string;
  value: string;
}

const text = (v: string | number | null) => (v === null || v === '' ? '—' : String(v));

/** Seed first (what people re-run), then the prompts and the settings that change a picture. */
export function imageFacts(image: GalleryImage): Fact[] {
  const p = image.params;
  return [
    { label: 'seed', value: text(p.seed) },
    { label: 'prompt', value: text(p.prompt) },
    { label: 'negative', value: text(p.negative) },
    { label: 'steps', value: text(p.steps) },
    { label: 'CFG', value: text(p.cfg) },
    { label: 'sampler', value: p.sampler ? `${p.sampler} · ${p.scheduler ?? '—'}` : '—' },
    { label: 'denoise', value: text(p.denoise) },
    { label: 'checkpoint', value: text(p.checkpoint) },
    { label: 'LoRAs', value: p.loras.length ? p.loras.map((l) => `${l.name} (${l.strength})`).join(', ') : '—' },
    { label: 'size', value: `${image.width}×${image.height}` },
    { label: 'workflow', value: image.workflowName ? `${image.workflowName}${image.workflowVersion ? ` v${image.workflowVersion}` : ''}` : 'ad-hoc graph' },
  ];
}
