// Stop during sampling ends the run as cancelled within one sampler step, and the same worker then
// runs the next request to the end.
import { expect, test, type Page } from '@playwright/test';
import { cancelLeftoverRuns, createWorkflow, freshSeed } from './api';
import { graphNode, loadedSize } from './canvas';
import { SAMPLER_STOP, samplerStopGraph } from './scenario';

async function stepOf(page: Page, nodeId: string): Promise<number> {
  return Number((await graphNode(page, nodeId).getAttribute('data-run-step')) || 0);
}

test('Stop cancels the run within one sampler step; the next run succeeds', async ({ page, request }) => {
  await cancelLeftoverRuns(request, 'stop-run');
  const { samplerNodeId, steps } = SAMPLER_STOP;
  // A fresh seed, so neither run can be answered from the worker's node cache.
  const graph = samplerStopGraph(freshSeed());
  const id = await createWorkflow(request, 'stop me', graph);
  await page.goto(`/w/${id}`);
  await expect(graphNode(page, 'save')).toBeVisible();
  const status = page.getByTestId('run-status');

  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(status).toHaveText('running', { timeout: 30_000 });
  // Stop once sampling is visibly under way.
  await expect.poll(() => stepOf(page, samplerNodeId), { timeout: 60_000, intervals: [20] }).toBeGreaterThanOrEqual(2);
  const stop = page.getByRole('button', { name: 'Stop', exact: true });
  await stop.click();
  await expect(status).toHaveText('cancelled', { timeout: 30_000 });
  await expect(stop).toBeDisabled();

  // The worker's own count (the browser's display trails it): stopped mid-sampling, at most one step late.
  await expect(status).toHaveAttribute('data-cancel-step', /^\d+$/);
  const cancelStep = Number(await status.getAttribute('data-cancel-step'));
  const stepsAfterCancel = Number(await status.getAttribute('data-steps-after-cancel'));
  expect(await status.getAttribute('data-steps-after-cancel')).toMatch(/^\d+$/);
  expect(stepsAfterCancel).toBeLessThanOrEqual(1);
  expect(cancelStep).toBeGreaterThanOrEqual(2);
  expect(cancelStep).toBeLessThan(steps);
  await expect(page.getByTestId('run-stopped-at')).toHaveText(`stopped at step ${cancelStep} of ${steps}`);
  // No step the worker did not run is ever shown.
  const sampler = graphNode(page, samplerNodeId);
  await expect(sampler).toHaveAttribute('data-run-status', 'cancelled');
  expect(await stepOf(page, samplerNodeId)).toBeLessThanOrEqual(cancelStep);
  await expect(graphNode(page, 'decode')).not.toHaveAttribute('data-run-status', /done|cached|running/);
  await expect(graphNode(page, 'save')).not.toHaveAttribute('data-run-status', /done|cached|running/);
  await expect(page.getByTestId('output-image')).toHaveCount(0);

  // The worker is still usable: a short run of the same workflow goes to the end.
  await sampler.getByTestId('param-steps').fill('4');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(status).toHaveText('succeeded', { timeout: 60_000 });
  await expect(sampler).toHaveAttribute('data-run-status', 'done');
  await expect(status).not.toHaveAttribute('data-cancel-step', /./);
  await expect(page.getByTestId('run-stopped-at')).toHaveCount(0);
  expect(await loadedSize(graphNode(page, 'save').getByTestId('output-image'))).toEqual({ width: SAMPLER_STOP.size, height: SAMPLER_STOP.size });
});
