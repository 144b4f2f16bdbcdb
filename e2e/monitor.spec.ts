// Ratings to /monitor: two runs of the txt2img template, rated 4 in the editor's results panel (mouse) and 2 on the
// runs page (keyboard); the scores survive a reload, and /monitor shows MOS 3.0 (n=2) for the workflow, its two
// runs in the latency table and chart, and the worker.
import { expect, test, type Page } from '@playwright/test';
import { createWorkflow, freshSeed, templateGraph } from './api';
import { TXT2IMG_TEMPLATE } from './scenario';

async function runToEnd(page: Page, previousRunId: string | null): Promise<string> {
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  const status = page.getByTestId('run-status');
  if (previousRunId) await expect(status).not.toHaveAttribute('data-run-id', previousRunId);
  await expect(status).toHaveText(/succeeded|failed|cancelled/, { timeout: 60_000 });
  const error = (await page.getByTestId('run-error').allTextContents()).join(' ');
  expect(await status.textContent(), `run error: ${error}`).toBe('succeeded');
  return (await status.getAttribute('data-run-id'))!;
}

test('rate two images 4 and 2, then /monitor shows MOS 3.0 (n=2), the two runs and the worker', async ({ page }) => {
  const graph = templateGraph(TXT2IMG_TEMPLATE, { sampler: { seed: freshSeed(), steps: 8 } });
  const workflowId = await createWorkflow(page.request, `rated ${Date.now()}`, graph);
  await page.goto(`/w/${workflowId}`);

  // First run, rated 4 with the mouse in the results panel.
  const first = await runToEnd(page, null);
  const results = page.getByTestId('results-panel');
  const stars = results.getByRole('radiogroup', { name: 'Rate this image' });
  await expect(stars).toHaveAttribute('data-value', '');
  await stars.getByRole('radio', { name: '4 of 5' }).click();
  await expect(stars).toHaveAttribute('data-value', '4');
  await expect(stars.getByRole('radio', { name: '4 of 5' })).toHaveAttribute('aria-checked', 'true');
  await results.screenshot({ path: 'test-results/monitor-results-panel.png' });

  // Second run with a new seed, saved as version 2 first (runs save no versions); not rated here.
  await page.locator('[data-testid="graph-node"][data-node-id="sampler"]').getByRole('button', { name: 'New random seed' }).click();
  await expect(page.getByTestId('unsaved-dot')).toHaveCount(1);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByTestId('unsaved-dot')).toHaveCount(0);
  await expect(page.getByTestId('workflow-title').locator('xpath=following-sibling::span[1]')).toHaveText(/^v2\b/);
  const second = await runToEnd(page, first);
  expect(second).not.toBe(first);
  await expect(results.getByRole('radiogroup', { name: 'Rate this image' })).toHaveAttribute('data-value', '');

  // On the runs page: the first run shows its 4; the second gets 2 from the keyboard (Tab stop, then arrows).
  await page.getByRole('link', { name: 'Runs', exact: true }).click();
  const row = (id: string) => page.locator(`[data-testid="run-row"][data-run-id="${id}"]`);
  await expect(row(first).getByTestId('rating')).toHaveAttribute('data-value', '4');
  const secondStars = row(second).getByTestId('rating');
  await expect(secondStars).toHaveAttribute('data-value', '');
  await secondStars.getByRole('radio', { name: '1 of 5' }).focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(secondStars).toHaveAttribute('data-value', '2');
  await expect(secondStars.getByRole('radio', { name: '2 of 5' })).toBeFocused();

  // Stored, not just shown: a reload reads both back.
  await page.reload();
  await expect(row(first).getByTestId('rating')).toHaveAttribute('data-value', '4');
  await expect(row(second).getByTestId('rating')).toHaveAttribute('data-value', '2');
  await page.screenshot({ path: 'test-results/monitor-runs-page.png' });

  // /monitor from the top bar (AUTH=none: the one user is the operator).
  await page.getByRole('link', { name: 'Monitor', exact: true }).click();
  await expect(page).toHaveURL(/\/monitor$/);
  const monitor = page.getByTestId('monitor');
  await expect(monitor).toBeVisible();
  const mos = monitor.locator(`[data-testid="mos-row"][data-workflow-id="${workflowId}"]`);
  await expect(mos.getByTestId('mos-count')).toHaveText('2');
  await expect(mos.getByTestId('mos-mean')).toHaveText('3.0');
  // By version: v1 got the 4, v2 the 2.
  await monitor.getByTestId('mos-by-version').click();
  await expect(monitor.locator(`[data-testid="mos-row"][data-key="${workflowId}@1"] [data-testid="mos-mean"]`)).toHaveText('4.0');
  await expect(monitor.locator(`[data-testid="mos-row"][data-key="${workflowId}@2"] [data-testid="mos-mean"]`)).toHaveText('2.0');
  await monitor.getByTestId('mos-by-checkpoint').click();
  await expect(monitor.locator('[data-testid="mos-row"][data-key="sprites"]')).toBeVisible();

  await expect(monitor.locator(`[data-testid="latency-row"][data-workflow-id="${workflowId}"]`)).toHaveAttribute('data-runs', '2');
  // This spec's runs are all the chart has only when it runs alone; with other specs before it, at least these two.
  const chartRuns = Number(await monitor.getByTestId('latency-chart').getAttribute('data-runs'));
  expect(chartRuns).toBeGreaterThanOrEqual(2);
  await expect(monitor.getByTestId('latency-chart').locator('canvas')).toHaveCount(1);
  await expect(monitor.getByTestId('success-chart').locator('canvas')).toHaveCount(1);

  const worker = monitor.locator('[data-testid="worker-row"][data-worker-id="1"]');
  await expect(worker).toBeVisible();
  expect(Number(await worker.getByTestId('worker-runs').innerText())).toBeGreaterThanOrEqual(2);
  await expect(monitor.getByTestId('low-rated-image').first()).toHaveAttribute('data-run-id', second);

  // The page scrolls inside its body: a tall window shows all of it for the record.
  await page.setViewportSize({ width: 1440, height: 2000 });
  await page.screenshot({ path: 'test-results/monitor.png' });

  // The lowest-rated image opens its run on the runs page, with its score.
  await monitor.getByTestId('low-rated-image').first().getByRole('link').click();
  await expect(page).toHaveURL(new RegExp(`/runs\\?run=${second}$`));
  await expect(page.getByTestId('run-detail').getByTestId('rating')).toHaveAttribute('data-value', '2');
});
