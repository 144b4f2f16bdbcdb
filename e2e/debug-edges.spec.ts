// The debugger's rough edges as a ComfyUI user meets them: a breakpoint on a sampler whose output is cached still
// pauses (Debug runs it again; Run goes past breakpoints), the inspector shows the paused step instead of "did not run",
// and a past run's sampler steps open from the runs page.
import { expect, test, type Page } from '@playwright/test';
import { createWorkflow, freshSeed, templateGraph, trpcQuery } from './api';
import { graphNode } from './canvas';
import { cancelShownRunAfterEach, nodeMenu } from './debugging';
import { TXT2IMG_TEMPLATE } from './scenario';

interface StoredStep { step: number; total: number; image: { url: string } | null; latent: { url: string } | null }
interface RunNodes { nodes: { id: string; status: string; cached: boolean }[] }

cancelShownRunAfterEach();

async function shownRunId(page: Page): Promise<string> {
  return (await page.getByTestId('run-status').getAttribute('data-run-id'))!;
}

test('"Break every step" on a sampler whose output is cached: Run goes past it, Debug pauses in it and runs it again', async ({ page, request }) => {
  const graph = templateGraph(TXT2IMG_TEMPLATE, { sampler: { seed: freshSeed(), steps: 20 } });
  const id = await createWorkflow(request, 'cached breakpoint', graph);
  await page.goto(`/w/${id}`);
  await expect(graphNode(page, 'save')).toBeVisible();
  const status = page.getByTestId('run-status');
  // A fixed seed, so the next runs of the unchanged graph can come from the cache.
  await graphNode(page, 'sampler').getByRole('combobox', { name: 'seed control' }).selectOption('fixed');

  // Run once: every node executes and lands in the worker's cache.
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(status).toHaveText('succeeded', { timeout: 60_000 });
  await expect(graphNode(page, 'sampler')).toHaveAttribute('data-run-status', 'done');
  const first = await shownRunId(page);

  // Debug with no breakpoint says how to set one and starts nothing.
  await page.getByRole('button', { name: 'Debug', exact: true }).click();
  await expect(page.getByTestId('toast').filter({ hasText: 'No breakpoints to stop at' })).toBeVisible();
  await expect(status).toHaveAttribute('data-run-id', first);

  await nodeMenu(page, 'sampler', 'Break every step');
  const badge = graphNode(page, 'sampler').getByTestId('breakpoint-badge');
  await expect(badge).toHaveText('● every step');
  await expect(badge).toHaveAttribute('data-state', 'active');

  // Run (Ctrl+Enter) goes past breakpoints: the unchanged graph comes from the cache, nothing pauses.
  await page.keyboard.press('Control+Enter');
  await expect(status).not.toHaveAttribute('data-run-id', first);
  await expect(status).toHaveText('succeeded', { timeout: 60_000 });
  await expect(graphNode(page, 'sampler')).toHaveAttribute('data-run-status', 'cached');
  await expect(page.getByTestId('debug-banner')).toHaveCount(0);

  // Breakpoints switched off stay shown, dimmed; on again, they are active.
  await page.getByRole('tab', { name: 'Debug' }).click();
  const stopAt = page.getByRole('checkbox', { name: 'Stop at breakpoints' });
  await stopAt.uncheck();
  await expect(badge).toHaveAttribute('data-state', 'off');
  await expect(badge).toBeVisible();
  await stopAt.check();
  await expect(badge).toHaveAttribute('data-state', 'active');

  // Debug: the cached sampler executes and pauses before its first step.
  const cachedRun = await shownRunId(page);
  await page.getByRole('button', { name: 'Debug', exact: true }).click();
  await expect(status).not.toHaveAttribute('data-run-id', cachedRun);
  const banner = page.getByTestId('debug-banner');
  await expect(banner).toBeVisible({ timeout: 30_000 });
  await expect(banner.getByTestId('debug-where')).toHaveText('paused at step 0 / 20');
  await expect(banner).toHaveAttribute('data-node-id', 'sampler');
  await expect(status).toHaveText('paused');
  await expect(graphNode(page, 'sampler')).toHaveAttribute('data-run-status', 'running');
  const debugRun = await shownRunId(page);

  // One step, then Inspect the paused sampler: its step, sigma, latent stats and newest preview, not "did not run".
  await page.keyboard.press('F10');
  await expect(banner.getByTestId('debug-where')).toHaveText('paused at step 1 / 20');
  await graphNode(page, 'sampler').locator('.graph-node-header').click();
  await page.getByRole('tab', { name: 'Inspect' }).click();
  const inspector = page.getByTestId('inspector');
  await expect(inspector).toHaveAttribute('data-node-id', 'sampler');
  await expect(inspector.getByTestId('inspector-paused')).toHaveText('Paused at step 1 / 20');
  await expect(inspector.getByTestId('inspector-empty')).toHaveCount(0);
  await expect(inspector.getByTestId('inspector-noise')).toContainText('sigma');
  await expect(inspector.getByTestId('inspector-stats').locator('tbody tr')).toHaveCount(4);
  await expect(inspector.getByTestId('inspector-x0')).toBeVisible();

  // Clear the breakpoint (the running debugger run takes it at once) and resume to the image.
  await nodeMenu(page, 'sampler', 'Clear breakpoints');
  await expect(badge).toHaveCount(0);
  await page.keyboard.press('F8');
  await expect(status).toHaveText('succeeded', { timeout: 60_000 });
  await expect(graphNode(page, 'save').getByTestId('output-image')).toBeVisible();

  // The sampler and what it feeds executed; what feeds it came from the cache.
  const cached = Object.fromEntries((await trpcQuery<RunNodes>(request, 'runs.get', { runId: debugRun })).nodes.map((n) => [n.id, n.cached]));
  expect(cached).toEqual({ checkpoint: true, positive: true, negative: true, latent: true, sampler: false, decode: false, save: false });
});

test("a past run's sampler timeline opens from the runs page and scrubs to a step", async ({ page, request }) => {
  const graph = templateGraph(TXT2IMG_TEMPLATE, { sampler: { seed: freshSeed(), steps: 12 } });
  const id = await createWorkflow(request, 'timeline later', graph);
  await page.goto(`/w/${id}`);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveText('succeeded', { timeout: 60_000 });
  const runId = await shownRunId(page);
  const steps = await trpcQuery<StoredStep[]>(request, 'runs.steps', { runId, nodeId: 'sampler' });
  expect(steps.map((s) => s.step)).toEqual(Array.from({ length: 12 }, (_, i) => i));

  // Later, from the run history.
  await page.goto('/runs');
  const row = page.locator(`[data-testid="run-row"][data-run-id="${runId}"]`);
  await row.getByRole('link', { name: 'Details' }).click();
  await expect(page).toHaveURL(new RegExp(`/runs\\?run=${runId}`));
  const detail = page.getByTestId('run-detail');
  await expect(detail).toHaveAttribute('data-run-id', runId);
  const timeline = detail.getByTestId('run-timeline');
  await expect(timeline.getByRole('tab', { name: 'sampler · 12 steps' })).toHaveAttribute('aria-selected', 'true');
  const slider = timeline.getByTestId('timeline-slider');
  await expect(slider).toHaveAttribute('max', '11');
  await expect(timeline.getByTestId('timeline-step')).toHaveText('step 11 / 12');
  await slider.fill('3');
  await expect(timeline.getByTestId('timeline-step')).toHaveText('step 3 / 12');
  await expect(timeline.getByTestId('timeline-image')).toHaveAttribute('src', steps[3].image!.url);
  await expect(timeline.getByTestId('timeline-latent')).toHaveAttribute('src', steps[3].latent!.url);
  expect(await timeline.getByTestId('timeline-image').evaluate((img: HTMLImageElement) => img.decode().then(() => img.naturalWidth))).toBe(256);
});
