// Each model family's shipped template runs in the editor as a person would start it: Templates → Use template →
// Run. The tiny models have random weights, so the check is on the picture's size and that it is a picture (its colours
// spread, not one flat colour), not on what it shows; the CLI acceptance tests check the same seeds' bytes.
import { expect, test } from '@playwright/test';
import { pixels } from './api';
import { loadedSize } from './canvas';

const FAMILIES = [
  { file: 'sdxl-base-refiner.json', size: 256 },
  { file: 'sd3-txt2img.json', size: 256 },
  { file: 'flux-txt2img.json', size: 256 },
  { file: 'controlnet-canny.json', size: 64 },
  // The exact sprites ControlNet: the hint's square outline draws a square whatever the seed; the prompt says "red".
  { file: 'controlnet-sprites.json', size: 256, redSquare: true },
];

/** RGB at (x, y) of an RGBA pixel array `size` wide. */
const rgbAt = (rgba: number[], size: number, x: number, y: number) => rgba.slice((y * size + x) * 4, (y * size + x) * 4 + 3);

/**
 * How far pixels sit from the mean colour (RMS distance in RGB): a picture, not one flat colour. Not grey levels: a red
 * square on a green background (the sprites template's seed picks the background) has one grey level.
 */
function colourSpread(rgba: number[]): number {
  const n = rgba.length / 4;
  const mean = [0, 1, 2].map((c) => rgba.reduce((a, v, i) => (i % 4 === c ? a + v : a), 0) / n);
  let sum = 0;
  for (let i = 0; i < rgba.length; i += 4) sum += (rgba[i] - mean[0]) ** 2 + (rgba[i + 1] - mean[1]) ** 2 + (rgba[i + 2] - mean[2]) ** 2;
  return Math.sqrt(sum / n);
}

for (const { file, size, redSquare } of FAMILIES) {
  test(`${file}: Use template → Run → an image`, async ({ page }) => {
    await page.goto('/');
    await page.getByRole('tab', { name: 'Templates' }).click();
    await page.locator(`[data-testid="template-card"][data-template-file="${file}"]`).getByRole('button', { name: /Use template/ }).click();
    await expect(page).toHaveURL(/\/w\/[^/]+$/);
    await expect(page.getByTestId('graph-node').first()).toBeVisible();
    await expect(page.getByTestId('node-error')).toHaveCount(0);

    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect(page.getByTestId('run-status')).toHaveText(/succeeded|failed|cancelled/, { timeout: 90_000 });
    const error = (await page.getByTestId('run-error').allTextContents()).join(' ');
    expect(await page.getByTestId('run-status').textContent(), `run error: ${error}`).toBe('succeeded');

    const out = page.getByTestId('output-image').first();
    expect(await loadedSize(out)).toEqual({ width: size, height: size });
    const rgba = await pixels(page, (await out.getAttribute('src'))!);
    expect(rgba.length).toBe(size * size * 4);
    expect(colourSpread(rgba)).toBeGreaterThan(10);
    if (redSquare) {
      // The large square covers cells 7-24 of 32 (pixels 56-199): red inside, the background just outside its sides.
      for (const [x, y] of [[60, 60], [195, 195], [128, 128]]) expect(rgbAt(rgba, size, x, y)).toEqual([220, 40, 40]);
      for (const [x, y] of [[50, 128], [205, 128], [128, 50], [128, 205]]) expect(rgbAt(rgba, size, x, y)).not.toEqual([220, 40, 40]);
    }
  });
}
