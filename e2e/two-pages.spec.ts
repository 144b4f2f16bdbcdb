// Two pages on one workflow: a run started in page A streams its progress and final image into page B.
import { expect, test } from '@playwright/test';
import { colourGraph, createWorkflow } from './api';
import { graphNode, loadedSize } from './canvas';

test('a run started in page A shows live in page B', async ({ browser, request }) => {
  const id = await createWorkflow(request, 'two pages', colourGraph('#c03020', 96));
  const a = await (await browser.newContext()).newPage();
  const b = await (await browser.newContext()).newPage();
  await a.goto(`/w/${id}`);
  await b.goto(`/w/${id}`);
  await expect(graphNode(a, 'save')).toBeVisible();
  await expect(graphNode(b, 'save')).toBeVisible();
  await expect(b.getByTestId('run-status')).toHaveText('idle');

  // Record every status page B shows, to prove it saw the run in flight, not only its end.
  await b.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { statuses: string[] }).statuses = seen;
    const el = document.querySelector('[data-testid="run-status"]')!;
    new MutationObserver(() => seen.push(el.textContent ?? '')).observe(el, { childList: true, characterData: true, subtree: true });
  });

  await a.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(a.getByTestId('run-status')).toHaveText('succeeded', { timeout: 60_000 });
  const runId = await a.getByTestId('run-status').getAttribute('data-run-id');

  await expect(b.getByTestId('run-status')).toHaveText('succeeded');
  await expect(b.getByTestId('run-status')).toHaveAttribute('data-run-id', runId!);
  const statuses = await b.evaluate(() => (window as unknown as { statuses: string[] }).statuses);
  expect(statuses.some((s) => s === 'queued' || s === 'running')).toBe(true);
  expect(await loadedSize(graphNode(b, 'save').getByTestId('output-image'))).toEqual({ width: 96, height: 96 });
  await expect(graphNode(b, 'fill')).toHaveAttribute('data-run-status', /done|cached/);
  await expect(b.getByTestId('result-image')).toHaveCount(1);

  await a.context().close();
  await b.context().close();
});
