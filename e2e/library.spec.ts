// The library: new, duplicate, delete with confirmation, and the run history page with its filter.
import { expect, test } from '@playwright/test';
import { colourGraph, createWorkflow } from './api';

test('duplicate and delete workflows; runs page lists and filters runs', async ({ page, request }) => {
  const name = `library ${Date.now()}`;
  const id = await createWorkflow(request, name, colourGraph('#112233', 32));
  await page.goto('/');
  const card = page.locator(`[data-testid="workflow-card"][data-workflow-id="${id}"]`);
  await expect(card).toContainText(name);

  await card.getByRole('button', { name: 'Duplicate' }).click();
  const copy = page.getByTestId('workflow-card').filter({ hasText: `${name} (copy)` });
  await expect(copy).toHaveCount(1);

  // Delete asks first; Cancel keeps it.
  await copy.getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByRole('dialog')).toContainText('Delete workflow?');
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  await expect(copy).toHaveCount(1);
  await copy.getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await expect(copy).toHaveCount(0);
  await expect(card).toBeVisible();

  // Run the original from its editor, then find the run (and its thumbnail) in the history.
  await card.getByRole('link', { name: 'Open', exact: true }).click();
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveText('succeeded', { timeout: 60_000 });
  const runId = await page.getByTestId('run-status').getAttribute('data-run-id');

  await page.getByRole('link', { name: 'Runs', exact: true }).click();
  await expect(page).toHaveURL(/\/runs$/);
  await page.getByRole('combobox', { name: 'Filter by workflow' }).selectOption({ label: name });
  const rows = page.getByTestId('run-row');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute('data-run-id', runId!);
  await expect(rows.first()).toHaveAttribute('data-status', 'succeeded');
  await expect(rows.first().locator('img')).toBeVisible();

  // Back in the library, the workflow shows its last output as a thumbnail.
  await page.getByRole('link', { name: 'Library', exact: true }).click();
  await expect(card.getByTestId('workflow-thumbnail')).toBeVisible();
});
