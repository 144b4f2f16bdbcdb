// Panels show the state of what is on screen: after saves, the About tab names the version the header names.
import { expect, test } from '@playwright/test';
import { createWorkflow, freshSeed, templateGraph } from './api';
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
