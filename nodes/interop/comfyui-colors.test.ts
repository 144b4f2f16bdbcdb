// Node colours from ComfyUI's UI-format workflow: short and long hex mapped to the graph's #rrggbb by node id, the
// title colour preferred, unusable colours reported; through a ComfyUI PNG's "workflow" chunk too.
import { describe, expect, it } from 'vitest';
import { getCatalog } from '../registry';
import { encodeImage } from '../runtime/image';
import { hexColor } from './comfyui-colors';
import { importComfyWorkflow } from './comfyui';
import { comfyTxt2img } from './comfyui-fixtures';
import { importWorkflowFile } from './import-file';

/** Nodes of ComfyUI's default graph as its editor saves them (ids as in the API prompt), a few of them coloured. */
const uiWorkflow = {
  last_node_id: 9,
  last_link_id: 9,
  nodes: [
    {
      id: 4, type: 'CheckpointLoaderSimple', pos: [26, 474], size: [315, 98], flags: {}, order: 0, mode: 0, inputs: [],
      outputs: [
        { name: 'MODEL', type: 'MODEL', links: [1], slot_index: 0 },
        { name: 'CLIP', type: 'CLIP', links: [3, 5], slot_index: 1 },
        { name: 'VAE', type: 'VAE', links: [8], slot_index: 2 },
      ],
      properties: { 'Node name for S&R': 'CheckpointLoaderSimple' }, widgets_values: ['sprites.safetensors'],
      // ComfyUI's "red" preset.
      color: '#322', bgcolor: '#533',
    },
    {
      id: 6, type: 'CLIPTextEncode', pos: [415, 186], size: [422.85, 164.31], flags: {}, order: 2, mode: 0,
      inputs: [{ name: 'clip', type: 'CLIP', link: 3 }], outputs: [{ name: 'CONDITIONING', type: 'CONDITIONING', links: [4], slot_index: 0 }],
      properties: { 'Node name for S&R': 'CLIPTextEncode' }, widgets_values: ['red circle on blue background'],
      // "green", as the colour picker writes a custom colour: six digits.
      color: '#223322', bgcolor: '#335533',
    },
    {
      id: 7, type: 'CLIPTextEncode', pos: [413, 389], size: [425.28, 180.61], flags: {}, order: 3, mode: 0,
      inputs: [{ name: 'clip', type: 'CLIP', link: 5 }], outputs: [{ name: 'CONDITIONING', type: 'CONDITIONING', links: [6], slot_index: 0 }],
      properties: { 'Node name for S&R': 'CLIPTextEncode' }, widgets_values: [''],
      color: 'rgba(255,0,0,0.5)',
    },
    {
      id: 3, type: 'KSampler', pos: [863, 186], size: [315, 262], flags: {}, order: 4, mode: 0,
      inputs: [{ name: 'model', type: 'MODEL', link: 1 }], outputs: [{ name: 'LATENT', type: 'LATENT', links: [7], slot_index: 0 }],
      properties: { 'Node name for S&R': 'KSampler' }, widgets_values: [42, 'fixed', 20, 7.5, 'euler', 'normal', 1],
      bgcolor: '#335',
    },
    {
      id: 8, type: 'VAEDecode', pos: [1209, 188], size: [210, 46], flags: {}, order: 5, mode: 0,
      inputs: [{ name: 'samples', type: 'LATENT', link: 7 }, { name: 'vae', type: 'VAE', link: 8 }],
      outputs: [{ name: 'IMAGE', type: 'IMAGE', links: [9], slot_index: 0 }], properties: { 'Node name for S&R': 'VAEDecode' },
    },
  ],
  links: [[1, 4, 0, 3, 0, 'MODEL'], [3, 4, 1, 6, 0, 'CLIP'], [5, 4, 1, 7, 0, 'CLIP']],
  groups: [],
  config: {},
  extra: { ds: { scale: 1, offset: [0, 0] } },
  version: 0.4,
};

const colorOf = (graph: { nodes: { id: string; color?: string }[] }) => Object.fromEntries(graph.nodes.map((n) => [n.id, n.color ?? null]));

describe('ComfyUI node colours', () => {
  it('reads #rgb and #rrggbb, nothing else', () => {
    expect([hexColor('#322'), hexColor('#A1b2C3'), hexColor('#abcd'), hexColor('red'), hexColor(12)]).toEqual(['#332222', '#a1b2c3', null, null, null]);
  });

  it('colours each imported node with its ComfyUI title colour, else its body colour, and reports the unusable ones', () => {
    const { graph, report } = importComfyWorkflow(comfyTxt2img(), { ui: uiWorkflow });
    expect(colorOf(graph)).toMatchObject({ checkpoint: '#332222', positive: '#223322', negative: null, sampler: '#333355', decode: null });
    expect(report.warnings).toContain('negative (CLIPTextEncode 7): its color "rgba(255,0,0,0.5)" is not a #rgb or #rrggbb colour; the node is left uncoloured');
    // The API prompt alone has no colours.
    expect(importComfyWorkflow(comfyTxt2img()).graph.nodes.every((n) => n.color === undefined)).toBe(true);
  });

  it('takes the colours from the workflow a ComfyUI PNG carries beside its prompt', async () => {
    const text = { prompt: JSON.stringify(comfyTxt2img()), workflow: JSON.stringify(uiWorkflow) };
    const png = (await encodeImage({ data: new Float32Array(3 * 64).fill(0.25), dims: [1, 3, 8, 8] }, { format: 'png', text })).bytes;
    const r = importWorkflowFile('ComfyUI_00002_.png', png, { catalog: getCatalog() });
    expect(colorOf(r.graph)).toMatchObject({ checkpoint: '#332222', sampler: '#333355' });
  });
});
