// Panels show the state of what is on screen: after saves the About tab names the header's version; an old version
// shows no run of another; a paused run's banner and node badge name the same step.
import { expect, test } from '@playwright/test';
import { cancelLeftoverRuns, createWorkflow, freshSeed, templateGraph, trpcMutation } from './api';
import { graphNode } from './canvas';
import { TXT2IMG_TEMPLATE } from './scenario';

test('after two saves the About tab and the header both say v3', async ({ page }) => {
  const id = await createWorkflow(page.request, 'Panels agree', templateGraph(TXT2IMG_TEMPLATE, { sampler: { seed: freshSeed() } }));
  await page.goto(`/w/${id}`);
  const header = page.locator('.workflow-title');
  await expect(header).toContainText('v1');
  for (const [steps, version] of [[12, 'v2'], [14, 'v3']] as const) {
    await graphNode(page, 'sampler').getByTestId('param-steps').fill(String(steps));
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(header).toContainText(version);
  }
  await page.getByRole('tab', { name: 'About' }).click();
  await expect(page.getByTestId('about-panel')).toContainText('Versionv3');
});

test('an old version on screen shows no run of another version; a pause shows one step in the badge and the banner', async ({ page }) => {
  const id = await createWorkflow(page.request, 'Panels agree 2', templateGraph(TXT2IMG_TEMPLATE, { sampler: { seed: freshSeed(), steps: 6 } }));
  await page.goto(`/w/${id}`);
  await graphNode(page, 'sampler').getByTestId('param-steps').fill('8');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.locator('.workflow-title')).toContainText('v2');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('result-image').first()).toBeVisible({ timeout: 60_000 });
  await expect(graphNode(page, 'sampler').getByTestId('node-status')).toContainText('done');

  // v1 on screen: the v2 run's image, timings and node badges are not its state.
  await page.goto(`/w/${id}?v=1`);
  await expect(page.getByTestId('version-banner')).toContainText('Viewing version 1 of 2');
  await expect(graphNode(page, 'sampler').getByTestId('param-steps')).toHaveValue('6');
  await expect(page.getByTestId('results-panel')).toContainText('Outputs of the last run appear here.');
  await expect(page.getByTestId('result-image')).toHaveCount(0);
  await expect(page.getByTestId('node-timings')).toHaveCount(0);
  await expect(graphNode(page, 'sampler').getByTestId('node-status')).toHaveCount(0);

  // Back on the current version, a run held at step 5 of 8: the banner and the sampler's badge name the same step.
  await page.goto(`/w/${id}`);
  await expect(graphNode(page, 'sampler')).toBeVisible();
  await cancelLeftoverRuns(page.request, 'panels-agree');
  const held = await trpcMutation<{ runId: string }>(page.request, 'runs.enqueue', { workflowId: id, debug: { steps: [{ nodeId: 'sampler', step: 5 }] } });
  try {
    await expect(page.getByTestId('debug-banner')).toContainText('paused at step 5 / 8');
    await expect(graphNode(page, 'sampler').getByTestId('node-status')).toHaveText('5/8');
  } finally {
    // A failure here must not leave the paused run holding the only worker for the specs after this one.
    await trpcMutation(page.request, 'runs.cancel', { runId: held.runId });
  }
});
