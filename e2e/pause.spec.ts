// Pause a running generation without having set any breakpoint (Debug off): it stops before its next sampler
// step, Step advances exactly one step, F8 resumes, and Stop then ends it.
import { expect, test } from '@playwright/test';
import { cancelLeftoverRuns, createWorkflow, freshSeed } from './api';
import { graphNode } from './canvas';
import { SAMPLER_STOP, samplerStopGraph } from './scenario';

test('Pause during sampling, Step once, resume with F8, then Stop', async ({ page, request }) => {
  await cancelLeftoverRuns(request, 'pause');
  const { samplerNodeId, steps } = SAMPLER_STOP;
  const id = await createWorkflow(request, 'pause me', samplerStopGraph(freshSeed()));
  await page.goto(`/w/${id}`);
  const status = page.getByTestId('run-status');
  const pause = page.getByRole('button', { name: 'Pause', exact: true });
  await expect(pause).toBeDisabled();

  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect.poll(async () => Number((await graphNode(page, samplerNodeId).getAttribute('data-run-step')) || 0), { timeout: 60_000, intervals: [20] })
    .toBeGreaterThanOrEqual(2);
  await pause.click();
  const banner = page.getByTestId('debug-banner');
  await expect(banner).toBeVisible();
  await expect(status).toHaveText('paused');
  const at = Number(await banner.getAttribute('data-step'));
  expect(at).toBeGreaterThanOrEqual(2);
  expect(at).toBeLessThan(steps);
  await expect(banner.getByTestId('debug-where')).toHaveText(`paused at step ${at} / ${steps}`);

  await banner.getByRole('button', { name: 'Step' }).click();
  await expect(banner).toHaveAttribute('data-step', String(at + 1));

  await page.keyboard.press('F8');
  await expect(status).toHaveText('running');
  await expect(banner).toHaveCount(0);
  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await expect(status).toHaveText('cancelled', { timeout: 30_000 });
});
