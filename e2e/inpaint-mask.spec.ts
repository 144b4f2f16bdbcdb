// Inpainting in the editor: upload an opaque picture into the inpaint workflow, paint a mask over its circle with the
// mouse, run → the output equals the picture outside the painted area and differs inside it.
import { expect, test, type Page } from '@playwright/test';
import sharp from 'sharp';
import { createWorkflow, freshSeed, templateGraph } from './api';
import { graphNode } from './canvas';

const SIZE = 256;
const RED = [220, 40, 40];
const BLUE = [50, 100, 230];

/**
 * The sprites pack's red circle on blue, opaque (nothing masked until painted): RGB pixels in flat 8x8 cells (radius 11
 * cells, tested at cell centres), which the pack's VAE encodes and decodes exactly. A smooth circle would come back as
 * 8x8 blocks everywhere, mask or not.
 */
function circlePixels(): Buffer {
  const raw = Buffer.alloc(SIZE * SIZE * 3);
  const inCircle = (x: number, y: number) => (Math.floor(x / 8) + 0.5 - 16) ** 2 + (Math.floor(y / 8) + 0.5 - 16) ** 2 <= 11 * 11;
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) raw.set(inCircle(x, y) ? RED : BLUE, (y * SIZE + x) * 3);
  }
  return raw;
}

/** RGBA pixels of an image as the server serves it (no colour management, alpha not premultiplied). */
async function rgbaOf(page: Page, url: string): Promise<number[]> {
  return page.evaluate(async (u) => {
    const res = await fetch(u);
    if (!res.ok) throw new Error(`GET ${u}: ${res.status}`);
    const bmp = await createImageBitmap(await res.blob(), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
    const g = new OffscreenCanvas(bmp.width, bmp.height).getContext('2d')!;
    g.drawImage(bmp, 0, 0);
    return Array.from(g.getImageData(0, 0, bmp.width, bmp.height).data);
  }, url);
}

test('paint a mask over the circle on Load Image\'s picture, run inpainting: only the painted area changes', async ({ page, request }) => {
  const id = await createWorkflow(request, `inpaint ${Date.now()}`, templateGraph('inpaint.json', { sampler: { seed: freshSeed() } }));
  await page.goto(`/w/${id}`);
  const image = graphNode(page, 'image');
  const picture = circlePixels();
  const png = await sharp(picture, { raw: { width: SIZE, height: SIZE, channels: 3 } }).png().toBuffer();
  await image.getByTestId('input-upload').setInputFiles({ name: 'circle.png', mimeType: 'image/png', buffer: png });
  await expect(image.getByTestId('param-image').locator('option:checked')).toHaveText('circle.png (256×256)');

  await image.getByTestId('paint-mask-button').click();
  const painter = page.getByTestId('mask-painter');
  const canvas = painter.getByTestId('mask-canvas');
  // The layer is sized to the picture once the picture is read.
  await expect.poll(() => canvas.evaluate((c: HTMLCanvasElement) => c.width)).toBe(SIZE);
  // Two strokes of the largest brush (128 px) through the circle at 3/8 and 5/8 of the height cover all of it; the
  // image's corners and its top and bottom strips stay unpainted.
  await painter.getByTestId('mask-size').fill('128');
  const box = (await canvas.boundingBox())!;
  for (const y of [0.375, 0.625]) {
    await page.mouse.move(box.x + box.width * 0.25, box.y + box.height * y);
    await page.mouse.down();
    for (let i = 1; i <= 10; i++) await page.mouse.move(box.x + box.width * (0.25 + 0.05 * i), box.y + box.height * y);
    await page.mouse.up();
  }
  await painter.getByTestId('mask-save').click();
  await expect(painter).toHaveCount(0);
  await expect(image.getByTestId('param-image').locator('option:checked')).toHaveText('circle-mask.png (256×256)');
  const maskedUrl = (await image.getByTestId('input-thumb').getAttribute('src'))!;

  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveText('succeeded', { timeout: 90_000 });
  const outUrl = (await page.getByTestId('output-image').first().getAttribute('src'))!;
  // The saved copy's alpha is the painted mask (its colours under the paint are gone: canvases premultiply alpha).
  const masked = await rgbaOf(page, maskedUrl);
  const output = await rgbaOf(page, outUrl);
  expect(output.length).toBe(SIZE * SIZE * 4);

  // The sampler works on 8x8-pixel latent cells: a cell with any painted pixel may change, every other cell is kept.
  const touched = new Set<number>();
  let painted = 0;
  for (let i = 0; i < SIZE * SIZE; i++) {
    if (masked[i * 4 + 3] < 255) touched.add(Math.floor(Math.floor(i / SIZE) / 8) * 32 + Math.floor((i % SIZE) / 8));
    if (masked[i * 4 + 3] === 0) painted++;
  }
  // The strokes cover the circle (about 24,000 px) and leave more than a quarter of the cells (8x8 px) untouched.
  expect(painted).toBeGreaterThan(24_000);
  expect(touched.size).toBeLessThan(32 * 32 * 0.75);
  let outsideMax = 0;
  /** Per latent cell: painted pixels, and the largest change of any of its pixels. */
  const paintedIn = new Map<number, number>();
  const changeIn = new Map<number, number>();
  for (let i = 0; i < SIZE * SIZE; i++) {
    const cell = Math.floor(Math.floor(i / SIZE) / 8) * 32 + Math.floor((i % SIZE) / 8);
    const diff = Math.max(...[0, 1, 2].map((c) => Math.abs(output[i * 4 + c] - picture[i * 3 + c])));
    if (!touched.has(cell)) outsideMax = Math.max(outsideMax, diff);
    if (masked[i * 4 + 3] === 0) paintedIn.set(cell, (paintedIn.get(cell) ?? 0) + 1);
    changeIn.set(cell, Math.max(changeIn.get(cell) ?? 0, diff));
  }
  // Outside: the uploaded picture's latent decoded again (float arithmetic and 8-bit rounding only).
  expect(outsideMax).toBeLessThanOrEqual(1);
  // Inside: the red circle was painted over and the prompt asks for a green square on blue, so every wholly painted
  // cell that was red comes out another colour (the kept blue around it leaves the sprites model no red sprite).
  const redCells = [...paintedIn].filter(([cell, n]) => n === 64 && picture[((Math.floor(cell / 32) * 8 + 4) * SIZE + (cell % 32) * 8 + 4) * 3] === RED[0]).map(([cell]) => cell);
  expect(redCells.length).toBeGreaterThanOrEqual(300);
  expect(redCells.filter((cell) => changeIn.get(cell)! <= 20)).toEqual([]);
});
