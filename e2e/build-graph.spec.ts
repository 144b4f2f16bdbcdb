// Build a graph by hand on an empty canvas: palette drag, mouse wiring, refused connections,
// param edits, run, save, reload -- and the graph comes back exactly as it was.
import { expect, test } from '@playwright/test';
import { connect, dropFromPalette, edgeIds, graphNode, handle, dragWire, loadedSize, snapshotCanvas } from './canvas';
import { WRONG_TYPE_CONNECTION } from './scenario';

test('empty canvas -> wired graph -> run -> save -> reload identical', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'New', exact: true }).click();
  await expect(page).toHaveURL(/\/w\/[^/]+$/);
  await expect(page.getByTestId('palette-item-solid_color')).toBeVisible();
  await expect(page.getByTestId('graph-node')).toHaveCount(0);

  await dropFromPalette(page, 'solid_color', { x: 120, y: 160 });
  await dropFromPalette(page, 'resize', { x: 460, y: 160 });
  await dropFromPalette(page, 'save_image', { x: 800, y: 160 });
  await expect(graphNode(page, 'solid_color_1')).toBeVisible();
  await expect(graphNode(page, 'resize_1')).toBeVisible();
  await expect(graphNode(page, 'save_image_1')).toBeVisible();
  // Unwired inputs are outlined with the engine's message before any run.
  await expect(graphNode(page, 'save_image_1').getByTestId('node-error')).toContainText('images');
  await expect(graphNode(page, 'save_image_1')).toHaveClass(/has-problems/);

  await connect(page, ['solid_color_1', 'image'], ['resize_1', 'image']);
  await connect(page, ['resize_1', 'image'], ['save_image_1', 'images']);
  expect(await edgeIds(page)).toEqual(['resize_1:image->save_image_1:images', 'solid_color_1:image->resize_1:image']);
  await expect(page.getByTestId('node-error')).toHaveCount(0);

  // Refused connections say why, and draw nothing: a type mismatch, and a node feeding itself.
  if (WRONG_TYPE_CONNECTION) {
    const w = WRONG_TYPE_CONNECTION;
    await dropFromPalette(page, w.from, { x: 120, y: 480 });
    const wrong = page.locator(`[data-testid="graph-node"][data-node-type="${w.from}"]`).last();
    const fromId = (await wrong.getAttribute('data-node-id'))!;
    await dragWire(page, handle(page, fromId, 'source', w.output), handle(page, 'save_image_1', 'target', w.input));
    await expect(page.getByTestId('toast').filter({ hasText: w.reason })).toBeVisible();
    expect(await edgeIds(page)).toEqual(['resize_1:image->save_image_1:images', 'solid_color_1:image->resize_1:image']);
    await wrong.locator('.graph-node-header').click();
    await page.keyboard.press('Delete');
    await expect(wrong).toHaveCount(0);
  }
  await dragWire(page, handle(page, 'resize_1', 'source', 'image'), handle(page, 'resize_1', 'target', 'image'));
  await expect(page.getByTestId('toast').filter({ hasText: 'cannot feed itself' })).toBeVisible();
  expect(await edgeIds(page)).toEqual(['resize_1:image->save_image_1:images', 'solid_color_1:image->resize_1:image']);

  // Params: colour and size of the fill, a fixed output size on the resize.
  const fill = graphNode(page, 'solid_color_1');
  await fill.getByTestId('param-color').fill('#20c040');
  await fill.getByTestId('param-width').fill('48');
  await fill.getByTestId('param-height').fill('32');
  await graphNode(page, 'resize_1').getByTestId('param-scale').fill('3');
  await expect(page.getByTestId('unsaved-dot')).toBeVisible();

  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveText('succeeded', { timeout: 60_000 });
  const out = graphNode(page, 'save_image_1').getByTestId('output-image');
  expect(await loadedSize(out)).toEqual({ width: 144, height: 96 });
  // The output really is the fill colour (PNG, lossless).
  const rgb = await out.evaluate((img: HTMLImageElement) => {
    const c = document.createElement('canvas');
    c.width = img.naturalWidth;
    c.height = img.naturalHeight;
    const g = c.getContext('2d')!;
    g.drawImage(img, 0, 0);
    return Array.from(g.getImageData(70, 40, 1, 1).data.slice(0, 3));
  });
  expect(rgb).toEqual([0x20, 0xc0, 0x40]);

  // Run saved the graph first; move a node, then Save explicitly.
  const box = (await graphNode(page, 'resize_1').locator('.graph-node-header').boundingBox())!;
  await page.mouse.move(box.x + 20, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + 60, box.y + 90, { steps: 6 });
  await page.mouse.up();
  await expect(page.getByTestId('unsaved-dot')).toBeVisible();
  await page.getByPlaceholder('version message (optional)').fill('moved the resize');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByTestId('unsaved-dot')).toHaveCount(0);

  const before = await snapshotCanvas(page);
  const edgesBefore = await edgeIds(page);
  await page.reload();
  await expect(page.getByTestId('graph-node')).toHaveCount(3);
  expect(await snapshotCanvas(page)).toEqual(before);
  expect(await edgeIds(page)).toEqual(edgesBefore);
  expect(before.find((n) => n.id === 'solid_color_1')?.params).toMatchObject({ color: '#20c040', width: '48', height: '32' });

  await page.getByRole('tab', { name: 'Versions' }).click();
  await expect(page.getByTestId('versions')).toContainText('moved the resize');
});
