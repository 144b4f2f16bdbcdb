// Shipped workflows open without overlapping nodes: every pair of node rectangles, as the editor draws them, is apart.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Node sizes in CSS pixels as the editor renders them on a fresh canvas (offsetWidth x offsetHeight of each
 * `.react-flow__node`, measured in Chromium 1440x900 on the shipped templates, 2026-12). The width is the
 * `.graph-node { width: 260px }` rule in app/globals.css; heights follow each node's params.
 */
const RENDERED: Readonly<Record<string, { width: number; height: number }>> = {
  checkpoint_loader: { width: 260, height: 134 },
  text_encoder: { width: 260, height: 150 },
  empty_latent: { width: 260, height: 161 },
  sampler: { width: 260, height: 483 },
  refiner_loader: { width: 260, height: 93 },
  refiner: { width: 260, height: 336 },
  vae_decode: { width: 260, height: 77 },
  vae_encode: { width: 260, height: 77 },
  upscaler_loader: { width: 260, height: 93 },
  upscale_image: { width: 260, height: 205 },
  save_image: { width: 260, height: 153 },
  lora_loader: { width: 260, height: 177 },
  load_image: { width: 260, height: 229 },
  set_latent_noise_mask: { width: 260, height: 77 },
  solid_color: { width: 260, height: 157 },
  composite: { width: 260, height: 209 },
  resize: { width: 260, height: 189 },
  // The same rows as resize (one input, width, height, scale, a choice); taken from it, not measured on its own.
  latent_upscale: { width: 260, height: 189 },
  // Not measured: from the rows of the nodes above (~36 px frame, ~20.5 px per socket row, ~33 px per param row,
  // ~36.5 px per model picker), rounded up: one socket row + 2 sliders; one + a picker (= upscaler_loader); four + 3 sliders.
  canny: { width: 260, height: 125 },
  controlnet_loader: { width: 260, height: 93 },
  apply_controlnet: { width: 260, height: 220 },
  // Empty SD3 Latent has empty_latent's rows (width, height, batch size); Flux Guidance has one input, one float and
  // one output: vae_decode's rows plus one param row (about 44 px, from empty_latent's three). Not measured on their own.
  empty_sd3_latent: { width: 260, height: 161 },
  flux_guidance: { width: 260, height: 125 },
  // The same rows as vae_decode (two inputs, no params); taken from it, not measured on its own.
  reencode_prompt: { width: 260, height: 77 },
};
/** After a run these nodes show a preview or their output image below their params: width 100% of the node, square sprites. */
const GROWS_AFTER_RUN: Readonly<Record<string, number>> = { sampler: 258, refiner: 258, save_image: 258 };
/** Kept clear around every node (half the 20 px snap grid), so nodes never touch. */
const MARGIN = 10;

interface Rect { id: string; left: number; top: number; right: number; bottom: number }
interface LaidOutNode { id: string; type: string; position: { x: number; y: number } }

function rectOf(n: LaidOutNode): Rect {
  const size = RENDERED[n.type];
  if (!size) throw new Error(`no rendered size for node type "${n.type}" (node ${n.id}): measure it in Chromium and add it to RENDERED`);
  const height = size.height + (GROWS_AFTER_RUN[n.type] ?? 0);
  return { id: n.id, left: n.position.x - MARGIN, top: n.position.y - MARGIN, right: n.position.x + size.width + MARGIN, bottom: n.position.y + height + MARGIN };
}

/** Pairs of node ids whose rectangles (with the margin) intersect. */
function overlappingNodes(nodes: readonly LaidOutNode[]): [string, string][] {
  const rects = nodes.map(rectOf);
  const hits: [string, string][] = [];
  for (let i = 0; i < rects.length; i++) {
    for (let j = i + 1; j < rects.length; j++) {
      const [a, b] = [rects[i], rects[j]];
      if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) hits.push([a.id, b.id]);
    }
  }
  return hits;
}

const dir = path.join(__dirname, '../../../workflows');
const shipped = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

describe('shipped workflow layout', () => {
  it('finds the workflows', () => {
    expect(shipped).toEqual(['controlnet-canny.json', 'controlnet-sprites.json', 'flow-txt2img.json', 'flux-txt2img.json', 'hires-fix.json', 'image-ops.json', 'img2img.json', 'inpaint.json', 'lora.json', 'sd3-txt2img.json', 'sdxl-base-refiner.json', 'txt2img-refine-upscale.json', 'txt2img.json']);
  });

  it.each(shipped)('%s: no two nodes overlap', (file) => {
    const graph = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as { nodes: LaidOutNode[] };
    expect(overlappingNodes(graph.nodes)).toEqual([]);
  });

  it('reports the layouts the issue saw: VAE Decode touching Save Image, Refiner Loader under the grown Sampler', () => {
    expect(overlappingNodes([
      { id: 'decode', type: 'vae_decode', position: { x: 1040, y: 160 } },
      { id: 'save', type: 'save_image', position: { x: 1300, y: 160 } },
    ])).toEqual([['decode', 'save']]);
    expect(overlappingNodes([
      { id: 'sampler', type: 'sampler', position: { x: 700, y: 120 } },
      { id: 'refiner_model', type: 'refiner_loader', position: { x: 700, y: 520 } },
    ])).toEqual([['sampler', 'refiner_model']]);
    // 20 px apart is enough.
    expect(overlappingNodes([
      { id: 'decode', type: 'vae_decode', position: { x: 1040, y: 160 } },
      { id: 'save', type: 'save_image', position: { x: 1320, y: 160 } },
    ])).toEqual([]);
  });

  it('refuses a node type it has no measured size for', () => {
    expect(() => overlappingNodes([{ id: 'n', type: 'transform', position: { x: 0, y: 0 } }])).toThrow(/no rendered size for node type "transform"/);
  });
});
