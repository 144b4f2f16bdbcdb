// The subgraph library's nesting and upkeep: a subgraph holding another subgraph is saved to the library from its
// node menu, added from the palette to a second workflow (its inner definition comes along) and, wired there, draws
// the flat graph's pixels; then the palette renames the entry and deletes it (after a confirm), and the workflow
// that uses it keeps its copy and still runs.
import { expect, test, type Page } from '@playwright/test';
import { freshSeed, pixels, runForImage, trpcMutation, trpcQuery } from './api';
import { connect, graphNode } from './canvas';
import { nodeMenu } from './debugging';

const mod = process.platform === 'darwin' ? 'Meta' : 'Control';
const PROMPT = 'yellow star on green background';
const node = (id: string, type: string, params: Record<string, unknown>, x: number, y: number) => ({ id, type, typeVersion: 1, params, position: { x, y } });
const wire = (from: string, output: string, to: string, input: string) => ({ from: { node: from, output }, to: { node: to, input } });

/** txt2img without its positive prompt (stopped halfway with leftover noise, so the seed shows in the pixels). */
function withoutPositive(seed: number) {
  return {
    nodes: [
      node('checkpoint', 'checkpoint_loader', { ckpt_name: 'sprites' }, 0, 0),
      node('negative', 'text_encoder', { text: '' }, 340, 0),
      node('latent', 'empty_latent', { width: 256, height: 256, batch_size: 1 }, 0, 300),
      node('sampler', 'sampler', { seed, steps: 6, end_step: 3, return_leftover_noise: true, cfg: 7.5, sampler: 'euler', scheduler: 'normal', denoise: 1 }, 680, 0),
      node('decode', 'vae_decode', {}, 1020, 0),
      node('save', 'save_image', { filename_prefix: 'nested', format: 'png' }, 1360, 0),
    ],
    edges: [
      wire('checkpoint', 'clip', 'negative', 'clip'), wire('checkpoint', 'model', 'sampler', 'model'), wire('negative', 'conditioning', 'sampler', 'negative'),
      wire('latent', 'latent', 'sampler', 'latent'), wire('sampler', 'latent', 'decode', 'latent'), wire('checkpoint', 'vae', 'decode', 'vae'),
      wire('decode', 'image', 'save', 'images'),
    ],
  };
}

const socketsOf = (inner: string) => ({
  inputs: [{ name: 'clip', type: 'CLIP', to: [{ node: inner, input: 'clip' }] }],
  outputs: [{ name: 'conditioning', type: 'CONDITIONING', from: { node: inner, output: 'conditioning' } }],
  params: [],
});

async function create(page: Page, name: string, graph: object): Promise<string> {
  return (await trpcMutation<{ id: string }>(page.request, 'workflows.create', { name, graph })).id;
}

test('subgraph library: a nested subgraph is saved, reused with the flat graph\'s pixels, renamed and deleted', async ({ page }) => {
  test.setTimeout(240_000);
  const seed = freshSeed();
  const stamp = Date.now();
  const flat = withoutPositive(seed);
  flat.nodes.push(node('positive', 'text_encoder', { text: PROMPT }, 340, 300));
  flat.edges.push(wire('checkpoint', 'clip', 'positive', 'clip'), wire('positive', 'conditioning', 'sampler', 'positive'));
  const flatId = await create(page, `nested flat ${stamp}`, flat);
  await page.goto(`/w/${flatId}`);
  await expect(graphNode(page, 'sampler')).toBeVisible();
  const flatUrl = await runForImage(page, flatId);

  // A workflow whose "Star prompt" subgraph holds the "Encoder" subgraph, which holds the text encoder.
  const nested = {
    version: 3, nodes: [node('prompt', 'subgraph', {}, 340, 300)].map((n) => ({ ...n, subgraph: 'outer' })), edges: [],
    subgraphs: {
      outer: { name: 'Star prompt', nodes: [{ id: 'enc', type: 'subgraph', typeVersion: 1, params: {}, subgraph: 'inner' }], edges: [], ...socketsOf('enc') },
      inner: { name: 'Encoder', nodes: [{ id: 'text', type: 'text_encoder', typeVersion: 1, params: { text: PROMPT } }], edges: [], ...socketsOf('text') },
    },
  };
  const nestedId = await create(page, `nested source ${stamp}`, nested);
  await page.goto(`/w/${nestedId}`);
  await expect(graphNode(page, 'prompt')).toBeVisible();
  await nodeMenu(page, 'prompt', 'Save subgraph to library');
  await expect(page.getByText('Saved "Star prompt" to the library as version 1')).toBeVisible();

  // A second workflow: the palette's entry brings both levels; wired in place of the prompt, the flat graph's pixels.
  const secondId = await create(page, `nested second ${stamp}`, withoutPositive(seed));
  await page.goto(`/w/${secondId}`);
  await expect(graphNode(page, 'checkpoint')).toBeVisible();
  const entry = page.getByTestId('palette-subgraph').filter({ hasText: 'Star prompt' });
  await entry.click();
  await expect(graphNode(page, 'subgraph_1')).toHaveAttribute('data-node-type', 'subgraph');
  await page.getByRole('button', { name: 'fit view' }).click();
  await connect(page, ['checkpoint', 'clip'], ['subgraph_1', 'clip']);
  await connect(page, ['subgraph_1', 'conditioning'], ['sampler', 'positive']);
  const viaLibrary = await runForImage(page, secondId);
  const [want, got] = [await pixels(page, flatUrl), await pixels(page, viaLibrary)];
  expect(got.length).toBe(256 * 256 * 4);
  expect(got.findIndex((v, i) => v !== want[i]), 'first differing byte').toBe(-1);
  await page.keyboard.press(`${mod}+s`);
  await expect(page.getByText('Saved version 2')).toBeVisible();
  type Saved = { version: { graph: { subgraphs: Record<string, { name: string; library?: { id: string }; nodes: { subgraph?: string }[] }> } } };
  const defs = (await trpcQuery<Saved>(page.request, 'workflows.get', { id: secondId })).version.graph.subgraphs;
  const outer = Object.values(defs).find((d) => d.name === 'Star prompt')!;
  expect(outer.library?.id).toBeTruthy();
  expect(defs[outer.nodes[0].subgraph!].name).toBe('Encoder');

  // Renamed in the palette.
  await entry.hover();
  await entry.getByRole('button', { name: 'Rename Star prompt' }).click();
  await page.getByRole('dialog').getByLabel('Name').fill('Yellow star prompt');
  await page.getByRole('dialog').getByRole('button', { name: 'Rename' }).click();
  const renamed = page.getByTestId('palette-subgraph').filter({ hasText: 'Yellow star prompt' });
  await expect(renamed).toHaveCount(1);
  await expect(page.getByTestId('palette-subgraph').filter({ hasText: /^Star prompt/ })).toHaveCount(0);

  // Deleted after a confirm: Cancel keeps it, Delete removes it from the palette.
  await renamed.hover();
  await renamed.getByRole('button', { name: 'Delete Yellow star prompt' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  await expect(renamed).toHaveCount(1);
  await renamed.hover();
  await renamed.getByRole('button', { name: 'Delete Yellow star prompt' }).click();
  await expect(page.getByRole('dialog')).toContainText('Workflows that use it keep their own copy');
  await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByText('Deleted "Yellow star prompt" from the library')).toBeVisible();
  await expect(renamed).toHaveCount(0);

  // The workflow that uses it reopens with its copy and runs again.
  await page.reload();
  await expect(graphNode(page, 'subgraph_1')).toHaveAttribute('data-node-type', 'subgraph');
  await runForImage(page, secondId, 2);
});
