// Two pages on one workflow: a run started in page A streams its progress (sampler steps, previews)
// and its final image into page B.
import { expect, test } from '@playwright/test';
import { createWorkflow, freshSeed, templateGraph } from './api';
import { graphNode, loadedSize } from './canvas';
import { PREVIEW_NODE_TYPE, TXT2IMG_TEMPLATE } from './scenario';

interface Seen { status: string; step: number; preview: boolean; output: boolean }

test('a run started in page A shows live in page B', async ({ browser, request }) => {
  // A fresh seed: a sampler result cached by an earlier run would stream nothing. 80 steps: a 20-step run now ends
  // fast enough that page B once rendered none of its steps (seen in CI: queued, running at step 0, succeeded).
  const id = await createWorkflow(request, 'two pages', templateGraph(TXT2IMG_TEMPLATE, { sampler: { seed: freshSeed(), steps: 80 } }));
  const a = await (await browser.newContext()).newPage();
  const b = await (await browser.newContext()).newPage();
  await a.goto(`/w/${id}`);
  await b.goto(`/w/${id}`);
  await expect(graphNode(a, 'save')).toBeVisible();
  await expect(graphNode(b, 'save')).toBeVisible();
  await expect(b.getByTestId('run-status')).toHaveText('idle');

  // Record every state page B renders (status, sampler step, preview, output), to prove it saw the run in flight.
  await b.evaluate((type) => {
    const seen: Seen[] = [];
    (window as unknown as { seen: Seen[] }).seen = seen;
    new MutationObserver(() => {
      const node = document.querySelector(`[data-testid="graph-node"][data-node-type="${type}"]`);
      seen.push({
        status: document.querySelector('[data-testid="run-status"]')?.textContent ?? '',
        step: Number(node?.getAttribute('data-run-step') || 0),
        preview: node?.querySelector('[data-testid="node-preview"]') != null,
        output: document.querySelector('[data-testid="output-image"]') != null,
      });
    }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['src', 'data-run-step'] });
  }, PREVIEW_NODE_TYPE);

  await a.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(a.getByTestId('run-status')).toHaveText('succeeded', { timeout: 60_000 });
  const runId = await a.getByTestId('run-status').getAttribute('data-run-id');

  await expect(b.getByTestId('run-status')).toHaveText('succeeded');
  await expect(b.getByTestId('run-status')).toHaveAttribute('data-run-id', runId!);
  const seen = await b.evaluate(() => (window as unknown as { seen: Seen[] }).seen);
  const live = seen.filter((s) => s.status === 'running' && !s.output && (s.step > 0 || s.preview));
  expect(live.length, JSON.stringify(seen.slice(-20))).toBeGreaterThan(0);
  expect(live.some((s) => s.preview)).toBe(true);

  // The same final image in both pages.
  const outA = graphNode(a, 'save').getByTestId('output-image');
  const outB = graphNode(b, 'save').getByTestId('output-image');
  expect(await loadedSize(outB)).toEqual({ width: 256, height: 256 });
  expect(await outB.getAttribute('src')).toBe(await outA.getAttribute('src'));
  await expect(graphNode(b, 'sampler')).toHaveAttribute('data-run-status', 'done');
  await expect(b.getByTestId('result-image')).toHaveCount(1);

  await a.context().close();
  await b.context().close();
});
