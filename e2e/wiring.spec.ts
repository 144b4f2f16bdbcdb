// Wiring big graphs: a reroute made by Alt-click carries a run (same pixels as without it), a collapsed node keeps
// its wires and is saved collapsed, a wire dropped on the canvas opens a quick-add filtered by its type and is
// connected to the node picked, a connected input's wire is picked up by dragging it, and sockets are easy to hit.
import { expect, test, type Locator, type Page } from '@playwright/test';
import sharp from 'sharp';
import { extractGraph } from '../nodes/interop/png-graph';
import { createWorkflow, trpcQuery, type GraphJson } from './api';
import { edgeIds, graphNode, handle } from './canvas';

const mod = process.platform === 'darwin' ? 'Meta' : 'Control';

const node = (id: string, type: string, params: Record<string, unknown>, x: number, y = 0) =>
  ({ id, type, typeVersion: 1, params, position: { x, y } });
const edge = (from: string, output: string, to: string, input: string) => ({ from: { node: from, output }, to: { node: to, input } });

/** fill (96x64) -> shrink (24x16) -> save, in one row so the wires are straight. */
function shrinkGraph(color: string): GraphJson {
  return {
    version: 1,
    nodes: [
      node('fill', 'solid_color', { width: 96, height: 64, color }, 0),
      node('shrink', 'resize', { width: 24, height: 16 }, 340),
      node('save', 'save_image', { filename_prefix: 'wiring', format: 'png', quality: 92 }, 760),
    ],
    edges: [edge('fill', 'image', 'shrink', 'image'), edge('shrink', 'image', 'save', 'images')],
  };
}

async function centre(l: Locator): Promise<{ x: number; y: number }> {
  const box = await l.boundingBox();
  if (!box) throw new Error('element has no box');
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** A point of the empty canvas below the nodes, `dx` from the middle (checked to be the pane, not a node or a control). */
async function emptyCanvasPoint(page: Page, dx = 0): Promise<{ x: number; y: number }> {
  const box = (await page.getByTestId('canvas').boundingBox())!;
  const p = { x: box.x + box.width / 2 + dx, y: box.y + box.height - 90 };
  const hit = await page.evaluate(({ x, y }) => document.elementFromPoint(x, y)?.className, p);
  expect(String(hit)).toContain('react-flow__pane');
  return p;
}

/** Press at `a`, move like a hand in small steps, release at `b`. */
async function drag(page: Page, a: { x: number; y: number }, b: { x: number; y: number }): Promise<void> {
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 8 });
  await page.mouse.move(b.x, b.y, { steps: 8 });
  await page.mouse.up();
}

/**
 * Runs the canvas and returns the saved image's address, RGBA pixels and the node types of the graph embedded in its
 * PNG. `after`: the previous run's image address, which this run's (another graph embedded) must replace.
 */
async function runImage(page: Page, after?: string): Promise<{ src: string; pixels: Buffer; width: number; embedded: string[] }> {
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  const img = graphNode(page, 'save').getByTestId('output-image');
  if (after) await expect(img).not.toHaveAttribute('src', after, { timeout: 60_000 });
  await expect(page.getByTestId('run-status')).toHaveText('succeeded', { timeout: 60_000 });
  await expect(img).toBeVisible();
  const src = (await img.getAttribute('src'))!;
  const png = await (await page.request.get(src)).body();
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return { src, pixels: data, width: info.width, embedded: extractGraph(png)!.graph.nodes.map((n) => n.type) };
}

test('Alt-click on a wire inserts a reroute; the run through it gives the same image as without it', async ({ page, request }) => {
  const id = await createWorkflow(request, `reroute ${Date.now()}`, shrinkGraph('#3a7d2c'));
  await page.goto(`/w/${id}`);
  await expect(graphNode(page, 'save')).toBeVisible();
  const plain = await runImage(page);
  expect(plain.embedded).not.toContain('reroute');

  const wire = page.locator('.react-flow__edge[data-id="shrink:image->save:images"] .react-flow__edge-interaction');
  const at = await centre(wire);
  await page.mouse.move(at.x, at.y);
  await page.keyboard.down('Alt');
  await page.mouse.click(at.x, at.y);
  await page.keyboard.up('Alt');
  const dot = graphNode(page, 'reroute_1');
  await expect(dot).toBeVisible();
  expect(await edgeIds(page)).toEqual(['fill:image->shrink:image', 'reroute_1:output->save:images', 'shrink:image->reroute_1:input']);
  // The dot covers the point where the wire was clicked and takes the type it carries.
  const c = await centre(dot);
  const radius = (await dot.boundingBox())!.width / 2;
  expect(Math.hypot(c.x - at.x, c.y - at.y)).toBeLessThan(radius);
  await expect(dot).toHaveAttribute('data-socket-type', 'IMAGE');

  const rerouted = await runImage(page, plain.src);
  expect(rerouted.embedded).toContain('reroute'); // this run's graph had the reroute
  expect(rerouted.width).toBe(24);
  expect(rerouted.pixels.equals(plain.pixels)).toBe(true);

  // The wire's menu: delete the wire out of the dot; Save then reports the reroute feeding nothing.
  const out = page.locator('.react-flow__edge[data-id="shrink:image->reroute_1:input"] .react-flow__edge-interaction');
  await out.click({ button: 'right' });
  await page.getByTestId('edge-menu').getByRole('menuitem', { name: 'Delete wire' }).click();
  expect(await edgeIds(page)).toEqual(['fill:image->shrink:image', 'reroute_1:output->save:images']);
  await expect(dot).toHaveAttribute('title', /reroute "reroute_1" has nothing connected to its input/);
});

test('a collapsed node keeps its wires, takes new ones on its title bar, and stays collapsed after save and reload', async ({ page, request }) => {
  const graph = shrinkGraph('#805020');
  graph.nodes.push(node('fill2', 'solid_color', { width: 32, height: 32, color: '#102030' }, 0, 260));
  const id = await createWorkflow(request, `collapse ${Date.now()}`, graph);
  await page.goto(`/w/${id}`);
  const shrink = graphNode(page, 'shrink');
  await expect(shrink.getByTestId('param-width')).toBeVisible();
  const before = (await shrink.boundingBox())!.height;

  await shrink.getByTestId('collapse-toggle').click();
  await expect(shrink).toHaveAttribute('data-collapsed', 'true');
  await expect(shrink.getByTestId('param-width')).toHaveCount(0);
  expect((await shrink.boundingBox())!.height).toBeLessThan(before / 2);
  expect(await edgeIds(page)).toEqual(['fill:image->shrink:image', 'shrink:image->save:images']);

  // A wire dropped on the collapsed title bar plugs into its socket of that type.
  await drag(page, await centre(handle(page, 'fill2', 'source', 'image')), await centre(shrink.getByTestId('node-title')));
  expect(await edgeIds(page)).toEqual(['fill2:image->shrink:image', 'shrink:image->save:images']);

  await page.keyboard.press(`${mod}+s`);
  await expect(page.getByTestId('unsaved-dot')).toHaveCount(0);
  const saved = await trpcQuery<{ version: { graph: { nodes: { id: string; collapsed?: boolean }[] } } }>(request, 'workflows.get', { id });
  expect(saved.version.graph.nodes.map((n) => [n.id, n.collapsed ?? false])).toEqual([
    ['fill', false], ['shrink', true], ['save', false], ['fill2', false],
  ]);
  await page.reload();
  await expect(graphNode(page, 'shrink')).toHaveAttribute('data-collapsed', 'true');
  await expect(graphNode(page, 'save')).not.toHaveAttribute('data-collapsed', 'true');
  expect(await edgeIds(page)).toEqual(['fill2:image->shrink:image', 'shrink:image->save:images']);
  await graphNode(page, 'shrink').getByTestId('collapse-toggle').click();
  await expect(graphNode(page, 'shrink').getByTestId('param-width')).toHaveValue('24');
});

test('a wire dropped on the canvas opens the node search filtered by its type; the node picked is connected', async ({ page, request }) => {
  const graph = shrinkGraph('#204060');
  graph.nodes = graph.nodes.filter((n) => n.id !== 'shrink');
  graph.edges = [];
  const id = await createWorkflow(request, `drop wire ${Date.now()}`, graph);
  await page.goto(`/w/${id}`);
  await expect(graphNode(page, 'fill')).toBeVisible();

  await drag(page, await centre(handle(page, 'fill', 'source', 'image')), await emptyCanvasPoint(page));
  const box = page.getByTestId('quick-add');
  await expect(box).toBeVisible();
  await expect(box.getByRole('searchbox', { name: 'Add node' })).toHaveAttribute('data-wire-type', 'IMAGE');
  const titles = await box.getByRole('option').locator('span:first-child').allTextContents();
  expect(titles).toContain('Resize Image');
  expect(titles).toContain('Save Image');
  expect(titles).not.toContain('Sampler'); // no IMAGE input
  expect(titles).not.toContain('Empty Latent');

  await box.getByRole('searchbox', { name: 'Add node' }).fill('resize');
  await page.keyboard.press('Enter');
  await expect(graphNode(page, 'resize_1')).toBeVisible();
  expect(await edgeIds(page)).toEqual(['fill:image->resize_1:image']);

  // From an input: the list holds the nodes with an output of that type.
  await drag(page, await centre(handle(page, 'save', 'target', 'images')), await emptyCanvasPoint(page, -250));
  await expect(box.getByRole('searchbox', { name: 'Add node' })).toHaveAttribute('data-wire-type', 'IMAGE');
  await box.getByRole('searchbox', { name: 'Add node' }).fill('solid');
  await page.keyboard.press('Enter');
  await expect(graphNode(page, 'solid_color_1')).toBeVisible();
  expect(await edgeIds(page)).toEqual(['fill:image->resize_1:image', 'solid_color_1:image->save:images']);
});

test('dragging from a connected input picks its wire up: re-plugged elsewhere, or dropped to delete', async ({ page, request }) => {
  const graph = shrinkGraph('#602040');
  graph.nodes.push(node('save2', 'save_image', { filename_prefix: 'other', format: 'png', quality: 92 }, 760, 300));
  const id = await createWorkflow(request, `detach ${Date.now()}`, graph);
  await page.goto(`/w/${id}`);
  await expect(graphNode(page, 'save2')).toBeVisible();

  // Re-plug: the wire into save moves to save2, still from shrink.
  await drag(page, await centre(handle(page, 'save', 'target', 'images')), await centre(handle(page, 'save2', 'target', 'images')));
  expect(await edgeIds(page)).toEqual(['fill:image->shrink:image', 'shrink:image->save2:images']);

  // Dropped on the empty canvas: the wire is gone, no search box opens; one undo brings it back.
  await drag(page, await centre(handle(page, 'shrink', 'target', 'image')), await emptyCanvasPoint(page));
  expect(await edgeIds(page)).toEqual(['shrink:image->save2:images']);
  await expect(page.getByTestId('quick-add')).toHaveCount(0);
  await page.keyboard.press(`${mod}+z`);
  expect(await edgeIds(page)).toEqual(['fill:image->shrink:image', 'shrink:image->save2:images']);
});

test('sockets are easy to hit: a press just off a socket starts a wire, a release 8 px away or on the row connects', async ({ page, request }) => {
  const graph = shrinkGraph('#406080');
  graph.edges = [];
  const id = await createWorkflow(request, `snap ${Date.now()}`, graph);
  await page.goto(`/w/${id}`);
  await expect(graphNode(page, 'save')).toBeVisible();

  // Press 4 px right of fill's output dot (outside it, on the canvas), release 8 px left of shrink's input dot.
  const from = (await handle(page, 'fill', 'source', 'image').boundingBox())!;
  const to = (await handle(page, 'shrink', 'target', 'image').boundingBox())!;
  await drag(page, { x: from.x + from.width + 4, y: from.y + from.height / 2 }, { x: to.x - 8, y: to.y + to.height / 2 });
  expect(await edgeIds(page)).toEqual(['fill:image->shrink:image']);

  // Released on the input's row, on its label well away from the dot: connects to that input.
  const row = graphNode(page, 'save').locator('.socket-in').filter({ hasText: 'images' }).locator('.socket-type');
  const label = await centre(row);
  const dot = await centre(handle(page, 'save', 'target', 'images'));
  expect(label.x - dot.x).toBeGreaterThan(30);
  await drag(page, await centre(handle(page, 'shrink', 'source', 'image')), label);
  expect(await edgeIds(page)).toEqual(['fill:image->shrink:image', 'shrink:image->save:images']);
});
