// Reusable subgraphs: txt2img's prompt and sampler become one subgraph node (Ctrl+Shift+G), which opens on
// double-click (breadcrumb back), is saved to the library, and is added from the palette to a second workflow; wired
// and run there, it draws the same pixels as the flattened graph with the same seed. The saved workflow pins the
// library version it uses.
import { expect, test } from '@playwright/test';
import { createWorkflow, freshSeed, pixels, runForImage, trpcQuery, type GraphJson } from './api';
import { connect, graphNode, handle } from './canvas';
import { nodeMenu } from './debugging';

const mod = process.platform === 'darwin' ? 'Meta' : 'Control';
const node = (id: string, type: string, params: Record<string, unknown>, x: number, y: number) =>
  ({ id, type, typeVersion: 1, params, position: { x, y } });
const wire = (from: string, output: string, to: string, input: string) => ({ from: { node: from, output }, to: { node: to, input } });

// The pack's denoiser is exact: a full schedule gives every seed the same sprite. Stopped halfway with its leftover
// noise, the picture depends on the seed, so "same pixels" also checks the seed reached the inner sampler.
const samplerParams = (seed: number) => ({
  seed, steps: 6, end_step: 3, return_leftover_noise: true, cfg: 7.5, sampler: 'euler', scheduler: 'normal', denoise: 1,
});

/**
 * txt2img; `withPromptAndSampler: false` leaves out the two nodes the subgraph brings, in a compact layout so the
 * subgraph node the palette adds (right of the graph) fits in view with it.
 */
function txt2img(seed: number, withPromptAndSampler = true): GraphJson {
  const edges = [
    wire('checkpoint', 'clip', 'negative', 'clip'), wire('checkpoint', 'vae', 'decode', 'vae'), wire('decode', 'image', 'save', 'images'),
  ];
  if (!withPromptAndSampler) {
    return {
      version: 1,
      nodes: [
        node('checkpoint', 'checkpoint_loader', { ckpt_name: 'sprites' }, 0, 0),
        node('negative', 'text_encoder', { text: '' }, 340, 0),
        node('latent', 'empty_latent', { width: 256, height: 256, batch_size: 1 }, 0, 300),
        node('decode', 'vae_decode', {}, 340, 300),
        node('save', 'save_image', { filename_prefix: 'subgraph', format: 'png' }, 680, 0),
      ],
      edges,
    };
  }
  return {
    version: 1,
    nodes: [
      node('checkpoint', 'checkpoint_loader', { ckpt_name: 'sprites' }, 0, 160),
      node('positive', 'text_encoder', { text: 'yellow star on green background' }, 340, 0),
      node('negative', 'text_encoder', { text: '' }, 340, 300),
      node('latent', 'empty_latent', { width: 256, height: 256, batch_size: 1 }, 340, 560),
      node('sampler', 'sampler', samplerParams(seed), 700, 120),
      node('decode', 'vae_decode', {}, 1040, 160),
      node('save', 'save_image', { filename_prefix: 'subgraph', format: 'png' }, 1380, 160),
    ],
    edges: [
      ...edges, wire('checkpoint', 'clip', 'positive', 'clip'), wire('checkpoint', 'model', 'sampler', 'model'),
      wire('positive', 'conditioning', 'sampler', 'positive'), wire('negative', 'conditioning', 'sampler', 'negative'),
      wire('latent', 'latent', 'sampler', 'latent'), wire('sampler', 'latent', 'decode', 'latent'),
    ],
  };
}

test('subgraph: convert, open, save to the library, reuse in a second workflow; same pixels as the flat graph', async ({ page, request }) => {
  test.setTimeout(240_000);
  const seed = freshSeed();
  const stamp = Date.now();

  // The flat graph's picture first.
  const flatId = await createWorkflow(request, `subgraph flat ${stamp}`, txt2img(seed));
  await page.goto(`/w/${flatId}`);
  await expect(graphNode(page, 'sampler')).toBeVisible();
  const flatUrl = await runForImage(page, flatId);

  // Prompt and sampler into one node: its sockets are the wires that crossed the selection.
  await graphNode(page, 'positive').locator('.graph-node-header').click();
  await graphNode(page, 'sampler').locator('.graph-node-header').click({ modifiers: [mod] });
  await page.keyboard.press(`${mod}+Shift+G`);
  const sub = graphNode(page, 'subgraph');
  await expect(sub).toHaveAttribute('data-node-type', 'subgraph');
  await expect(graphNode(page, 'positive')).toHaveCount(0);
  await expect(graphNode(page, 'sampler')).toHaveCount(0);
  const sockets = (kind: 'source' | 'target') => page.locator(`.react-flow__handle.${kind}[data-nodeid="subgraph"]`)
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-handleid')));
  expect(await sockets('target')).toEqual(['clip', 'model', 'negative', 'latent']);
  expect(await sockets('source')).toEqual(['latent']);

  // Double-click opens it: the inner nodes under the ids a run reports; the breadcrumb leads back.
  // On the header beside the title (the title renames; a press on a socket row picks its wire up).
  await sub.locator('.graph-node-header').dblclick({ position: { x: 150, y: 10 } });
  await expect(page.getByTestId('subgraph-breadcrumb')).toContainText('Subgraph');
  await expect(graphNode(page, 'subgraph/positive')).toBeVisible();
  await expect(graphNode(page, 'subgraph/sampler')).toBeVisible();
  await expect(graphNode(page, 'checkpoint')).toHaveCount(0);
  // The inner sampler's seed promoted: shown and edited on the subgraph node outside, with the inner value.
  await nodeMenu(page, 'subgraph/sampler', 'Promote “seed” to the subgraph node');
  await expect(page.getByText('"seed" is now set on the subgraph node')).toBeVisible();
  await page.getByTestId('subgraph-breadcrumb').getByRole('button', { name: 'Workflow' }).click();
  await expect(page.getByTestId('subgraph-breadcrumb')).toHaveCount(0);
  await expect(graphNode(page, 'checkpoint')).toBeVisible();
  await expect(sub.getByTestId('param-seed')).toHaveValue(String(seed));

  // Undo brings the two nodes back; redo makes the subgraph again.
  await page.keyboard.press(`${mod}+z`);
  await expect(graphNode(page, 'sampler')).toBeVisible();
  await expect(graphNode(page, 'subgraph')).toHaveCount(0);
  await page.keyboard.press(`${mod}+Shift+z`);
  await expect(graphNode(page, 'subgraph')).toBeVisible();

  // Renamed, then saved to the library from its menu.
  await graphNode(page, 'subgraph').getByTestId('node-title').dblclick();
  await page.getByLabel('Node title').fill('Prompt and sample');
  await page.keyboard.press('Enter');
  await nodeMenu(page, 'subgraph', 'Save subgraph to library');
  await expect(page.getByText('Saved "Prompt and sample" to the library as version 1')).toBeVisible();

  // A second workflow without prompt and sampler: the palette offers the library subgraph.
  const secondId = await createWorkflow(request, `subgraph second ${stamp}`, txt2img(seed, false));
  await page.goto(`/w/${secondId}`);
  await expect(graphNode(page, 'checkpoint')).toBeVisible();
  const entry = page.getByTestId('palette-subgraph').filter({ hasText: 'Prompt and sample' });
  await expect(entry).toContainText('v1');
  await entry.click();
  const added = graphNode(page, 'subgraph_1');
  await expect(added).toHaveAttribute('data-node-type', 'subgraph');
  await expect(added.getByTestId('node-title')).toHaveText('Prompt and sample');
  // In view with the rest, then wired as the original was.
  await page.getByRole('button', { name: 'fit view' }).click();
  await expect(handle(page, 'subgraph_1', 'target', 'clip')).toBeInViewport();
  await connect(page, ['checkpoint', 'clip'], ['subgraph_1', 'clip']);
  await connect(page, ['checkpoint', 'model'], ['subgraph_1', 'model']);
  await connect(page, ['negative', 'conditioning'], ['subgraph_1', 'negative']);
  await connect(page, ['latent', 'latent'], ['subgraph_1', 'latent']);
  await connect(page, ['subgraph_1', 'latent'], ['decode', 'latent']);
  await expect(page.locator('.react-flow__edge')).toHaveCount(8);

  const secondUrl = await runForImage(page, secondId);
  const [flat, viaLibrary] = [await pixels(page, flatUrl), await pixels(page, secondUrl)];
  expect(flat.length).toBe(256 * 256 * 4);
  expect(viaLibrary.length).toBe(flat.length);
  expect(viaLibrary.findIndex((v, i) => v !== flat[i]), 'first differing byte').toBe(-1);

  // The workflow, saved, pins the library version it uses.
  await page.keyboard.press(`${mod}+s`);
  await expect(page.getByText('Saved version 2')).toBeVisible();
  const saved = await trpcQuery<{ version: { graph: { version: number; subgraphs: Record<string, { name: string; library?: { version: number } }> } } }>(
    request, 'workflows.get', { id: secondId },
  );
  expect(saved.version.graph.version).toBe(3);
  expect(Object.values(saved.version.graph.subgraphs).map((d) => [d.name, d.library?.version])).toEqual([['Prompt and sample', 1]]);
});
