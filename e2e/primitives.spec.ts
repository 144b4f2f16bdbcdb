// Primitive nodes: one Seed feeds the seed params of two samplers (converted to inputs in the node, wired by hand).
// Both samplers run with the primitive's seed (its increment control applied once, at enqueue): their pictures are
// the same pixels although their own seeds differ, and each gallery card names the primitive's seed. Converted back
// to a widget, the second sampler uses its own seed again and its picture differs.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { createWorkflow, pixels, trpcQuery, type GraphJson } from './api';
import { connect, edgeIds, graphNode, handle } from './canvas';

const at = (x: number, y: number) => ({ x, y });
const node = (id: string, type: string, params: Record<string, unknown>, position: { x: number; y: number }) =>
  ({ id, type, typeVersion: 1, params, position });
const wire = (from: string, output: string, to: string, input: string) => ({ from: { node: from, output }, to: { node: to, input } });
// The pack's denoiser is exact: a full schedule gives every seed the same sprite. Stopped halfway with its leftover
// noise, a sampler's picture depends on its seed.
const samplerParams = (seed: number) => ({
  seed, steps: 6, end_step: 3, return_leftover_noise: true, cfg: 7.5, sampler: 'euler', scheduler: 'normal', denoise: 1,
});

/** Text to image twice from the same model, prompts and latent, with a Seed primitive not wired yet. */
const graph: GraphJson & { nodes: (GraphJson['nodes'][number] & { controls?: Record<string, string> })[] } = {
  version: 1,
  nodes: [
    node('checkpoint', 'checkpoint_loader', { ckpt_name: 'sprites' }, at(0, 0)),
    node('positive', 'text_encoder', { text: 'red circle on blue background' }, at(0, 260)),
    node('negative', 'text_encoder', { text: '' }, at(0, 520)),
    node('latent', 'empty_latent', { width: 256, height: 256, batch_size: 1 }, at(340, 420)),
    { ...node('seed', 'primitive_seed', { value: 1234 }, at(340, 0)), controls: { value: 'increment' } },
    node('s1', 'sampler', samplerParams(1), at(680, 0)),
    node('s2', 'sampler', samplerParams(2), at(1020, 0)),
    node('decode1', 'vae_decode', {}, at(680, 620)),
    node('decode2', 'vae_decode', {}, at(1020, 620)),
    node('save1', 'save_image', { filename_prefix: 'one', format: 'png' }, at(1360, 0)),
    node('save2', 'save_image', { filename_prefix: 'two', format: 'png' }, at(1360, 420)),
  ],
  edges: [
    wire('checkpoint', 'clip', 'positive', 'clip'), wire('checkpoint', 'clip', 'negative', 'clip'),
    ...['s1', 's2'].flatMap((s) => [
      wire('checkpoint', 'model', s, 'model'), wire('positive', 'conditioning', s, 'positive'),
      wire('negative', 'conditioning', s, 'negative'), wire('latent', 'latent', s, 'latent'),
    ]),
    wire('s1', 'latent', 'decode1', 'latent'), wire('checkpoint', 'vae', 'decode1', 'vae'), wire('decode1', 'image', 'save1', 'images'),
    wire('s2', 'latent', 'decode2', 'latent'), wire('checkpoint', 'vae', 'decode2', 'vae'), wire('decode2', 'image', 'save2', 'images'),
  ],
};

async function run(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveText('succeeded', { timeout: 120_000 });
}

/** The two sampler outputs of the workflow's newest run (gallery.list, which reads the seed from the run's graph). */
async function lastImages(page: Page, workflowId: string, runsBefore: number) {
  type Item = { url: string; runId: string; params: { seed: number | null }; createdAt: string };
  let items: Item[] = [];
  await expect.poll(async () => {
    items = (await trpcQuery<{ items: Item[] }>(page.request, 'gallery.list', { workflowId })).items;
    return items.length;
  }, { timeout: 30_000 }).toBe(runsBefore * 2 + 2);
  const newest = items[0].runId;
  return items.filter((i) => i.runId === newest);
}

/** Some point of the bare canvas (no node or wire under it), scanning from the bottom. */
async function emptyCanvasPoint(page: Page): Promise<{ x: number; y: number }> {
  const box = (await page.getByTestId('canvas').boundingBox())!;
  const p = await page.evaluate((b) => {
    for (let y = b.y + b.height - 40; y > b.y + 40; y -= 30) {
      for (let x = b.x + 60; x < b.x + b.width - 260; x += 40) {
        if (String(document.elementFromPoint(x, y)?.className).includes('react-flow__pane')) return { x, y };
      }
    }
    return null;
  }, box);
  if (!p) throw new Error('no empty canvas in view');
  return p;
}

function differingBytes(a: number[], b: number[]): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

test('one primitive seed feeding two samplers: both use it; back to a widget, the sampler\'s own seed returns', async ({ page, request }) => {
  const id = await createWorkflow(request, `primitive seed ${Date.now()}`, graph as GraphJson);
  await page.goto(`/w/${id}`);
  const convert = (nodeId: string, to: 'input' | 'widget'): Locator =>
    graphNode(page, nodeId).getByRole('button', { name: `Convert seed to ${to}` });

  for (const s of ['s1', 's2']) {
    await convert(s, 'input').click();
    await expect(graphNode(page, s).getByTestId('param-seed')).toHaveCount(0);
    await expect(graphNode(page, s).getByTestId('param-input-seed')).toBeVisible();
    await expect(handle(page, s, 'target', 'seed')).toHaveAttribute('data-socket-type', 'INT');
  }
  // A wire dropped from the param's handle on the canvas offers the nodes with an INT output (and the reroute dot).
  const seedHandle = (await handle(page, 's1', 'target', 'seed').boundingBox())!;
  const drop = await emptyCanvasPoint(page);
  await page.mouse.move(seedHandle.x + seedHandle.width / 2, seedHandle.y + seedHandle.height / 2);
  await page.mouse.down();
  await page.mouse.move(drop.x, drop.y, { steps: 12 });
  await page.mouse.up();
  const quickAdd = page.getByTestId('quick-add');
  await expect(quickAdd.getByRole('searchbox', { name: 'Add node' })).toHaveAttribute('data-wire-type', 'INT');
  const offered = await quickAdd.getByRole('option').locator('span:first-child').allTextContents();
  expect(offered.sort()).toEqual(['Int', 'Reroute', 'Seed']);
  await page.keyboard.press('Escape');
  await expect(quickAdd).toHaveCount(0);

  // Unwired, a converted param is a missing input, shown on the node.
  await expect(graphNode(page, 's1').getByTestId('node-error')).toContainText('param "seed" is converted to an input but no wire feeds it');
  await connect(page, ['seed', 'value'], ['s1', 'seed']);
  await connect(page, ['seed', 'value'], ['s2', 'seed']);
  expect((await edgeIds(page)).filter((e) => e.startsWith('seed:'))).toEqual(['seed:value->s1:seed', 'seed:value->s2:seed']);
  await expect(page.getByTestId('node-error')).toHaveCount(0);

  await run(page);
  // The increment control moved the primitive's one seed (1234 → 1235); the editor shows the seed it used.
  await expect(graphNode(page, 'seed').getByTestId('param-value')).toHaveValue('1235');
  const shared = await lastImages(page, id, 0);
  expect(shared.map((i) => i.params.seed)).toEqual([1235, 1235]);
  const [a, b] = await Promise.all(shared.map((i) => pixels(page, i.url)));
  expect(a.length).toBe(256 * 256 * 4);
  expect(differingBytes(a, b)).toBe(0);

  // The second sampler's own seed (2) again: a different picture, so the equality above came from the shared seed.
  await convert('s2', 'widget').click();
  await expect(graphNode(page, 's2').getByTestId('param-seed')).toHaveValue('2');
  expect((await edgeIds(page)).filter((e) => e.startsWith('seed:'))).toEqual(['seed:value->s1:seed']);
  await run(page);
  const apart = await lastImages(page, id, 1);
  expect(apart.map((i) => i.params.seed ?? -1).sort((x, y) => x - y)).toEqual([2, 1236]);
  const [c, d] = await Promise.all(apart.map((i) => pixels(page, i.url)));
  expect(differingBytes(c, d)).toBeGreaterThan(1000);

  // Saved with the graph: the converted param and its wire.
  await page.keyboard.press(process.platform === 'darwin' ? 'Meta+s' : 'Control+s');
  await expect(page.getByTestId('unsaved-dot')).toHaveCount(0);
  const saved = await trpcQuery<{ version: { graph: { nodes: { id: string; paramInputs?: string[] }[] } } }>(request, 'workflows.get', { id });
  expect(saved.version.graph.nodes.filter((n) => n.paramInputs).map((n) => [n.id, n.paramInputs])).toEqual([['s1', ['seed']]]);
});
