// A newcomer opens the library, starts from the shipped template, presses Run and gets an image.
import { expect, test } from '@playwright/test';
import { loadedSize } from './canvas';
import { NEWCOMER_TEMPLATE, PREVIEW_NODE_TYPE } from './scenario';

test('template -> Run -> live progress -> final image', async ({ page }) => {
  await page.goto('/');
  const template = page.locator(`[data-testid="template-card"][data-template-file="${NEWCOMER_TEMPLATE}"]`);
  await template.getByRole('button', { name: /Use template/ }).click();
  await expect(page).toHaveURL(/\/w\/[^/]+$/);
  await expect(page.getByTestId('graph-node').first()).toBeVisible();
  await expect(page.getByTestId('node-error')).toHaveCount(0);
  await expect(page.getByTestId('run-status')).toHaveText('idle');

  // Collect every distinct preview frame the sampler node shows while the run goes.
  const frames = new Set<string>();
  if (PREVIEW_NODE_TYPE) {
    await page.exposeFunction('recordPreview', (src: string) => frames.add(src));
    await page.evaluate(() => {
      new MutationObserver(() => {
        for (const img of document.querySelectorAll<HTMLImageElement>('[data-testid="node-preview"]')) {
          (window as unknown as { recordPreview(s: string): void }).recordPreview(img.src);
        }
      }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['src'] });
    });
  }

  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveText(/queued|running|succeeded/);
  await expect(page.getByTestId('run-status')).toHaveText(/succeeded|failed|cancelled/, { timeout: 60_000 });
  const error = (await page.getByTestId('run-error').allTextContents()).join(' ');
  expect(await page.getByTestId('run-status').textContent(), `run error: ${error}`).toBe('succeeded');

  const out = page.getByTestId('output-image').first();
  const size = await loadedSize(out);
  expect(size.width).toBeGreaterThan(0);
  // The results panel shows the same file, openable full size.
  await page.getByTestId('result-image').first().click();
  await expect(page.getByTestId('full-image')).toBeVisible();
  await expect(page.getByRole('dialog', { name: 'Image' }).getByRole('link', { name: 'Download' })).toHaveAttribute('href', /\/api\/artifacts\//);
  await page.keyboard.press('Escape');

  if (PREVIEW_NODE_TYPE) {
    expect(frames.size).toBeGreaterThanOrEqual(3);
  }
  // Every node that ran reports done or cached.
  const statuses = await page.getByTestId('graph-node').evaluateAll((els) => els.map((e) => e.getAttribute('data-run-status')));
  expect(statuses.every((s) => s === 'done' || s === 'cached')).toBe(true);
});
