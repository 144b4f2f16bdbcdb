// Load Image with the user's own picture: upload it from the node (button), see it, run → the output is that
// picture; a second picture dropped onto the node replaces it (and is not taken for a workflow to import).
import { expect, test } from '@playwright/test';
import sharp from 'sharp';
import { createWorkflow, type GraphJson } from './api';
import { graphNode } from './canvas';
import { dropFile } from './files';
import { twoColourStats } from './pixels';

const graph: GraphJson = {
  version: 1,
  nodes: [
    { id: 'load', type: 'load_image', typeVersion: 1, params: { image: 'example.png', alpha: false }, position: { x: 0, y: 0 } },
    { id: 'save', type: 'save_image', typeVersion: 1, params: { filename_prefix: 'upload', format: 'png', quality: 92 }, position: { x: 360, y: 0 } },
  ],
  edges: [{ from: { node: 'load', output: 'image' }, to: { node: 'save', input: 'images' } }],
};

/** Left half one colour, right half another: a picture whose pixels can be told apart. */
async function picture(left: [number, number, number], right: [number, number, number]): Promise<Buffer> {
  const w = 48, h = 32;
  const raw = Buffer.alloc(w * h * 3);
  for (let i = 0; i < w * h; i++) raw.set(i % w < w / 2 ? left : right, i * 3);
  return sharp(raw, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();
}

test('upload a picture into Load Image, run it, replace it by dropping another', async ({ page, request }) => {
  const id = await createWorkflow(request, `upload ${Date.now()}`, graph);
  await page.goto(`/w/${id}`);
  const load = graphNode(page, 'load');
  await expect(load.getByTestId('input-thumb')).toBeVisible(); // the shipped example

  await load.getByTestId('input-upload').setInputFiles({ name: 'halves.png', mimeType: 'image/png', buffer: await picture([200, 30, 30], [30, 30, 200]) });
  await expect(load.getByTestId('param-image')).toHaveValue(/^[0-9a-f]{32}\.png$/);
  await expect(load.getByTestId('param-image').locator('option:checked')).toHaveText('halves.png (48×32)');
  // Read through the open workflow, so viewers of a shared one see the owner's upload too.
  await expect(load.getByTestId('input-thumb')).toHaveAttribute('src', new RegExp(`/api/inputs/[0-9a-f]{32}\\.png\\?workflow=${id}$`));

  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveText('succeeded', { timeout: 60_000 });
  const out = (await page.getByTestId('output-image').first().getAttribute('src'))!;
  const first = await twoColourStats(page, out, [200, 30, 30], [30, 30, 200], 0);
  expect([first.width, first.height, first.otherPixels, first.shapePixels, first.backgroundPixels]).toEqual([48, 32, 0, 768, 768]);

  // Dropped on the node's picture: it changes, and the canvas does not import anything.
  const nodesBefore = await page.getByTestId('graph-node').count();
  await dropFile(load.getByTestId('input-thumb'), 'green.png', 'image/png', await picture([20, 180, 20], [20, 180, 20]));
  await expect(load.getByTestId('param-image').locator('option:checked')).toHaveText('green.png (48×32)');
  await expect(page.getByTestId('import-report')).toHaveCount(0);
  expect(await page.getByTestId('graph-node').count()).toBe(nodesBefore);
});
