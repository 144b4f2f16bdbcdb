// A newcomer opens the library, starts from the shipped template, presses Run and gets an image.
import { expect, test } from '@playwright/test';
import { loadedSize } from './canvas';
import { expectLivePreviews, watchPreviews } from './previews';
import { PREVIEW_NODE_TYPE, PREVIEW_STEPS, TXT2IMG_TEMPLATE } from './scenario';

test('template -> Run -> live progress -> final image', async ({ page }) => {
  // The whole journey runs under the server's Content-Security-Policy: nothing the app needs is refused.
  const cspErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) cspErrors.push(m.text());
  });
  const doc = await page.goto('/');
  expect(doc?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(doc?.headers()['x-content-type-options']).toBe('nosniff');
  await page.getByRole('tab', { name: 'Templates' }).click();
  const template = page.locator(`[data-testid="template-card"][data-template-file="${TXT2IMG_TEMPLATE}"]`);
  await template.getByRole('button', { name: /Use template/ }).click();
  await expect(page).toHaveURL(/\/w\/[^/]+$/);
  await expect(page.getByTestId('graph-node').first()).toBeVisible();
  await expect(page.getByTestId('node-error')).toHaveCount(0);
  await expect(page.getByTestId('run-status')).toHaveText('idle');

  const sampler = page.locator(`[data-testid="graph-node"][data-node-type="${PREVIEW_NODE_TYPE}"]`);
  await expect(sampler).toHaveCount(1);
  // A new seed, as a person trying the template would: it also keeps the worker's node cache (which
  // answers a repeated run without sampling, so without previews) out of this test. More steps than
  // the template's 20 (a few ms each) so the preview stream lasts longer than a few preview intervals.
  await sampler.getByRole('button', { name: 'New random seed' }).click();
  await sampler.getByTestId('param-steps').fill(String(PREVIEW_STEPS));
  // Watch every preview frame the sampler node shows while the run goes.
  const previews = await watchPreviews(page, PREVIEW_NODE_TYPE);

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

  // The previews changed as the sampler went, and all came before the final image.
  expectLivePreviews(await previews.read());
  // Every node that ran reports done or cached.
  const statuses = await page.getByTestId('graph-node').evaluateAll((els) => els.map((e) => e.getAttribute('data-run-status')));
  expect(statuses.every((s) => s === 'done' || s === 'cached')).toBe(true);
  expect(cspErrors).toEqual([]);
});
