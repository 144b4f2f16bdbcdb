// Subgraph sockets made after converting, and bypass on a subgraph node: inside the opened subgraph, the inner
// composite's unwired overlay input becomes an input of the subgraph node (undo and redo inside); wired outside, it
// runs. Bypassed, the subgraph node passes its base picture through unshrunk. Sockets and bypass are saved.
import { expect, test } from '@playwright/test';
import { trpcMutation, trpcQuery } from './api';
import { connect, graphNode, loadedSize } from './canvas';
import { nodeMenu } from './debugging';

const mod = process.platform === 'darwin' ? 'Meta' : 'Control';
const node = (id: string, type: string, params: Record<string, unknown>, x: number, y: number) => ({ id, type, typeVersion: 1, params, position: { x, y } });
const wire = (from: string, output: string, to: string, input: string) => ({ from: { node: from, output }, to: { node: to, input } });

const graph = {
  version: 3,
  nodes: [
    node('bg', 'solid_color', { width: 48, height: 32, color: '#204080' }, 0, 0),
    node('fg', 'solid_color', { width: 16, height: 8, color: '#e0c020' }, 0, 320),
    { ...node('stamp', 'subgraph', {}, 360, 0), subgraph: 'stamp' },
    node('save', 'save_image', { filename_prefix: 'sockets', format: 'png' }, 720, 0),
  ],
  edges: [wire('bg', 'image', 'stamp', 'base'), wire('stamp', 'image', 'save', 'images')],
  subgraphs: {
    stamp: {
      name: 'Stamp',
      nodes: [node('place', 'composite', { x: 5, y: 7 }, 0, 0), node('shrink', 'resize', { width: 24, height: 16 }, 360, 0)],
      edges: [wire('place', 'image', 'shrink', 'image')],
      inputs: [{ name: 'base', type: 'IMAGE', to: [{ node: 'place', input: 'base' }] }],
      outputs: [{ name: 'image', type: 'IMAGE', from: { node: 'shrink', output: 'image' } }],
      params: [],
    },
  },
};

test('subgraph: expose an inner input as a new socket (undoable), wire and run it; bypass the subgraph node', async ({ page, request }) => {
  test.setTimeout(90_000);
  const { id } = await trpcMutation<{ id: string }>(request, 'workflows.create', { name: `subgraph sockets ${Date.now()}`, graph });
  await page.goto(`/w/${id}`);
  const stamp = graphNode(page, 'stamp');
  await expect(stamp).toBeVisible();
  const inputs = () => page.locator('.react-flow__handle.target[data-nodeid="stamp"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-handleid')));
  expect(await inputs()).toEqual(['base']);

  await stamp.locator('.graph-node-header').dblclick({ position: { x: 150, y: 10 } });
  const place = graphNode(page, 'stamp/place');
  await expect(place).toBeVisible();
  await nodeMenu(page, 'stamp/place', 'Expose input “overlay” on the subgraph node');
  await expect(page.getByText('The subgraph node has a new input "overlay"')).toBeVisible();
  const menuOffers = async (item: string) => {
    await place.locator('.graph-node-header').click({ button: 'right' });
    await expect(page.getByTestId('node-menu').getByRole('menuitem', { name: item, exact: true })).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('node-menu')).toHaveCount(0);
  };
  await menuOffers('Remove subgraph input “overlay”');
  await page.keyboard.press(`${mod}+z`);
  await menuOffers('Expose input “overlay” on the subgraph node');
  await page.keyboard.press(`${mod}+Shift+z`);
  await menuOffers('Remove subgraph input “overlay”');

  await page.getByTestId('subgraph-breadcrumb').getByRole('button', { name: 'Workflow' }).click();
  await expect(graphNode(page, 'fg')).toBeVisible();
  await expect.poll(inputs).toEqual(['base', 'overlay']);
  await connect(page, ['fg', 'image'], ['stamp', 'overlay']);
  const run = async () => {
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect(page.getByTestId('run-status')).toHaveText('succeeded', { timeout: 60_000 });
    return loadedSize(page.getByTestId('output-image').first());
  };
  expect(await run()).toEqual({ width: 24, height: 16 });

  // Bypassed from its menu: the base picture passes through, not shrunk.
  await nodeMenu(page, 'stamp', 'Bypass');
  await expect(stamp).toHaveAttribute('data-mode', 'bypass');
  expect(await run()).toEqual({ width: 48, height: 32 });

  await page.keyboard.press(`${mod}+s`);
  await expect(page.getByTestId('unsaved-dot')).toHaveCount(0);
  const saved = await trpcQuery<{ version: { graph: { nodes: { id: string; mode?: string }[]; subgraphs: typeof graph.subgraphs } } }>(request, 'workflows.get', { id });
  expect(saved.version.graph.subgraphs.stamp.inputs.map((i) => i.name)).toEqual(['base', 'overlay']);
  expect(saved.version.graph.nodes.find((n) => n.id === 'stamp')?.mode).toBe('bypass');
});
