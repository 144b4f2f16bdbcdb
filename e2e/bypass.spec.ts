// Bypass (Ctrl+B / node menu): the selected Resize Image stops running and its input passes straight to Save;
// the flag is saved with the graph; turning it off brings the resize back.
import { expect, test } from '@playwright/test';
import { createWorkflow, trpcQuery, type GraphJson } from './api';
import { graphNode, loadedSize } from './canvas';

const mod = process.platform === 'darwin' ? 'Meta' : 'Control';

const graph: GraphJson = {
  version: 1,
  nodes: [
    { id: 'fill', type: 'solid_color', typeVersion: 1, params: { width: 96, height: 64, color: '#884422' }, position: { x: 0, y: 0 } },
    { id: 'shrink', type: 'resize', typeVersion: 1, params: { width: 24, height: 16 }, position: { x: 340, y: 0 } },
    { id: 'save', type: 'save_image', typeVersion: 1, params: { filename_prefix: 'bypass', format: 'png', quality: 92 }, position: { x: 680, y: 0 } },
  ],
  edges: [
    { from: { node: 'fill', output: 'image' }, to: { node: 'shrink', input: 'image' } },
    { from: { node: 'shrink', output: 'image' }, to: { node: 'save', input: 'images' } },
  ],
};

test('Ctrl+B bypasses a node: it does not run, its input passes through; the flag is saved', async ({ page, request }) => {
  const id = await createWorkflow(request, `bypass ${Date.now()}`, graph);
  await page.goto(`/w/${id}`);
  const run = async () => {
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect(page.getByTestId('run-status')).toHaveText('succeeded', { timeout: 60_000 });
    return loadedSize(page.getByTestId('output-image').first());
  };

  await graphNode(page, 'shrink').locator('.graph-node-header').click();
  await page.keyboard.press(`${mod}+b`);
  await expect(graphNode(page, 'shrink')).toHaveAttribute('data-mode', 'bypass');
  await expect(graphNode(page, 'shrink').getByTestId('bypass-badge')).toBeVisible();
  expect(await run()).toEqual({ width: 96, height: 64 }); // not resized
  await expect(graphNode(page, 'shrink')).toHaveAttribute('data-run-status', 'idle');
  // Running saves nothing (versions come from Save): the flag is kept by an explicit save.
  await expect(page.getByTestId('unsaved-dot')).toBeVisible();
  await page.keyboard.press(`${mod}+s`);
  await expect(page.getByTestId('unsaved-dot')).toHaveCount(0);
  const saved = await trpcQuery<{ version: { graph: { nodes: { id: string; mode?: string }[] } } }>(request, 'workflows.get', { id });
  expect(saved.version.graph.nodes.find((n) => n.id === 'shrink')!.mode).toBe('bypass');

  // Off again from the node's menu: the resize runs.
  await graphNode(page, 'shrink').locator('.graph-node-header').click({ button: 'right' });
  await page.getByTestId('node-menu').getByRole('menuitem', { name: 'Stop bypassing' }).click();
  await expect(graphNode(page, 'shrink')).toHaveAttribute('data-mode', 'normal');
  expect(await run()).toEqual({ width: 24, height: 16 });
});
