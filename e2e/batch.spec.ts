// Batch count: one press queues several runs; with the seed on "increment" each run draws the next seed, and
// the editor follows them one after another to the last one's image.
import { expect, test } from '@playwright/test';
import { createWorkflow, freshSeed, templateGraph, trpcMutation, trpcQuery } from './api';
import { TXT2IMG_TEMPLATE } from './scenario';

interface RunRow { id: string; status: string }
interface RunDetail { status: string; graph: { nodes: { id: string; params: Record<string, unknown> }[] }; artifacts: { kind: string; sha256: string }[] }

test('Run ×3 queues three runs with seeds counting up, and the editor ends on the last one', async ({ page, request }) => {
  const seed = freshSeed();
  const graph = templateGraph(TXT2IMG_TEMPLATE, { sampler: { seed, steps: 6 } });
  (graph.nodes.find((n) => n.id === 'sampler') as { controls?: Record<string, string> }).controls = { seed: 'increment' };
  const id = await createWorkflow(request, `batch ${Date.now()}`, graph);
  await page.goto(`/w/${id}`);

  await page.getByLabel('Batch count').fill('3');
  await page.getByRole('button', { name: 'Run ×3', exact: true }).click();
  await expect(page.getByTestId('toast').last()).toContainText('Queued 3 runs');

  let rows: RunRow[] = [];
  await expect.poll(async () => {
    rows = (await trpcQuery<{ items: RunRow[] }>(request, 'runs.list', { workflowId: id, limit: 10 })).items;
    return rows.map((r) => r.status).join(',');
  }, { timeout: 60_000 }).toBe('succeeded,succeeded,succeeded');
  const runs = await Promise.all(rows.reverse().map((r) => trpcQuery<RunDetail>(request, 'runs.get', { runId: r.id })));
  expect(runs.map((r) => r.graph.nodes.find((n) => n.id === 'sampler')!.params.seed)).toEqual([seed + 1, seed + 2, seed + 3]);
  // The editor shows the newest run finished, and the seed widget moved on to the last seed used.
  await expect(page.getByTestId('run-status')).toHaveText('succeeded');
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-run-id', rows.at(-1)!.id);
  await expect(page.locator('[data-testid="graph-node"][data-node-id="sampler"]').getByTestId('param-seed')).toHaveValue(String(seed + 3));
});

test('a batch queued by mistake is cleared from the runs page; the running one can be cancelled there too', async ({ page, request }) => {
  // A run stopped at a breakpoint holds the worker first, so the batch behind it waits (a free worker would take the
  // whole batch at once). Held, not merely long: a long run once ended before the spec reached its Cancel button. Its
  // row says running (a pause is the worker's state, not the run's) and it cannot end by itself.
  const long = await createWorkflow(request, `long ${Date.now()}`, templateGraph(TXT2IMG_TEMPLATE, { sampler: { seed: freshSeed(), steps: 50 } }));
  const held = await trpcMutation<{ runId: string }>(request, 'runs.enqueue', { workflowId: long, debug: { steps: [{ nodeId: 'sampler', step: 10 }] } });
  await expect.poll(async () => (await trpcQuery<{ status: string }>(request, 'runs.get', { runId: held.runId })).status, { timeout: 30_000 }).toBe('running');
  const graph = templateGraph(TXT2IMG_TEMPLATE, { sampler: { seed: freshSeed(), steps: 6 } });
  const id = await createWorkflow(request, `clear ${Date.now()}`, graph);
  await page.goto(`/w/${id}`);
  await page.getByLabel('Batch count').fill('3');
  await page.getByRole('button', { name: 'Run ×3', exact: true }).click();
  await expect(page.getByTestId('toast').last()).toContainText('Queued 3 runs');

  await page.goto('/runs');
  await page.getByLabel('Filter by workflow').selectOption(id);
  await expect(page.locator('[data-testid="run-row"][data-status="queued"]')).toHaveCount(3);
  await page.getByRole('button', { name: 'Cancel 3 waiting' }).click();
  await expect(page.getByTestId('toast').last()).toContainText('3 waiting run(s) cancelled');
  await expect(page.locator('[data-testid="run-row"][data-status="cancelled"]')).toHaveCount(3);
  await page.getByLabel('Filter by workflow').selectOption(long);
  const running = page.locator(`[data-testid="run-row"][data-run-id="${held.runId}"]`);
  await expect(running).toHaveAttribute('data-status', 'running');
  await running.getByTestId('run-cancel').click();
  await expect(page.locator('[data-testid="run-row"][data-status="cancelled"]')).toHaveCount(1, { timeout: 30_000 });
});
