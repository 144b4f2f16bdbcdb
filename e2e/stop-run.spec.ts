// Stop during a run ends it as cancelled, and the next run of the same workflow succeeds.
import { expect, test, type Page } from '@playwright/test';
import { createWorkflow, trpcMutation, type GraphJson } from './api';
import { graphNode, loadedSize } from './canvas';
import { SAMPLER_STOP } from './scenario';

/**
 * Without a sampler: a chain of big resizes (each a few hundred ms on 2 cores). The fill colour is
 * new every time so the worker's node cache cannot answer the chain from an earlier run.
 */
function slowGraph(): GraphJson {
  const color = `#${Math.floor(Math.random() * 0xffffff).toString(16).padStart(6, '0')}`;
  const chain = 8;
  const nodes: GraphJson['nodes'] = [
    { id: 'fill', type: 'solid_color', typeVersion: 1, params: { width: 1024, height: 1024, color }, position: { x: 0, y: 0 } },
  ];
  const edges: GraphJson['edges'] = [];
  let prev = 'fill';
  for (let i = 1; i <= chain; i++) {
    const id = `resize${i}`;
    nodes.push({ id, type: 'resize', typeVersion: 1, params: { width: 0, height: 0, scale: i % 2 ? 2 : 0.5, kernel: 'lanczos3' }, position: { x: 300 * i, y: 0 } });
    edges.push({ from: { node: prev, output: 'image' }, to: { node: id, input: 'image' } });
    prev = id;
  }
  nodes.push({ id: 'save', type: 'save_image', typeVersion: 1, params: { filename_prefix: 'slow', format: 'png', quality: 92 }, position: { x: 300 * (chain + 1), y: 0 } });
  edges.push({ from: { node: prev, output: 'image' }, to: { node: 'save', input: 'images' } });
  return { version: 1, nodes, edges };
}

async function stepOf(page: Page, nodeId: string): Promise<number> {
  return Number((await graphNode(page, nodeId).getAttribute('data-run-step')) || 0);
}

test('Stop cancels the run; the next run succeeds', async ({ page, request }) => {
  const id = SAMPLER_STOP
    ? (await trpcMutation<{ id: string }>(request, 'workflows.create', { name: 'stop me', templateFile: SAMPLER_STOP.template })).id
    : await createWorkflow(request, 'stop me', slowGraph());
  await page.goto(`/w/${id}`);
  await expect(graphNode(page, 'save')).toBeVisible();
  const steps = graphNode(page, SAMPLER_STOP?.samplerNodeId ?? 'none').getByTestId('param-steps');
  if (SAMPLER_STOP) await steps.fill(String(SAMPLER_STOP.steps));

  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveText('running', { timeout: 30_000 });
  const stop = page.getByRole('button', { name: 'Stop', exact: true });
  let stepAtStop = 0;
  if (SAMPLER_STOP) {
    await expect.poll(() => stepOf(page, SAMPLER_STOP!.samplerNodeId), { timeout: 60_000 }).toBeGreaterThanOrEqual(2);
    stepAtStop = await stepOf(page, SAMPLER_STOP.samplerNodeId);
  } else {
    await expect(graphNode(page, 'resize1')).toHaveAttribute('data-run-status', /running|done/);
  }
  await stop.click();
  await expect(page.getByTestId('run-status')).toHaveText('cancelled', { timeout: 30_000 });
  await expect(stop).toBeDisabled();
  await expect(graphNode(page, 'save')).not.toHaveAttribute('data-run-status', /done|cached/);
  await expect(page.getByTestId('output-image')).toHaveCount(0);
  if (SAMPLER_STOP) {
    expect(await stepOf(page, SAMPLER_STOP.samplerNodeId)).toBeLessThanOrEqual(stepAtStop + 1);
    await steps.fill('4');
  } else {
    // Make the next run quick.
    await graphNode(page, 'fill').getByTestId('param-width').fill('64');
    await graphNode(page, 'fill').getByTestId('param-height').fill('64');
  }

  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveText('succeeded', { timeout: 60_000 });
  const size = await loadedSize(graphNode(page, 'save').getByTestId('output-image'));
  // Without a sampler the chain halves as often as it doubles: 64 px in, 64 px out.
  if (!SAMPLER_STOP) expect(size).toEqual({ width: 64, height: 64 });
  else expect(size.width).toBeGreaterThan(0);
});
