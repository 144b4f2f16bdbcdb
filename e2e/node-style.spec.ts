// Editor pieces for big graphs: a node's colour and pin from its menu (undoable, saved), a Preview Image node whose
// picture shows on the node but never in the gallery, and a wire that takes the click where it crosses a node.
import { expect, test, type Page } from '@playwright/test';
import { createWorkflow, trpcQuery, type GraphJson } from './api';
import { canvasPositions, graphNode, loadedSize } from './canvas';

const mod = process.platform === 'darwin' ? 'Meta' : 'Control';
const node = (id: string, type: string, params: Record<string, unknown>, x: number, y: number) =>
  ({ id, type, typeVersion: 1, params, position: { x, y } });
const edge = (from: string, output: string, to: string, input: string) => ({ from: { node: from, output }, to: { node: to, input } });

const chain: GraphJson = {
  version: 1,
  nodes: [
    node('fill', 'solid_color', { width: 96, height: 64, color: '#884422' }, 0, 0),
    node('shrink', 'resize', { width: 24, height: 16 }, 340, 0),
    node('save', 'save_image', { filename_prefix: 'style', format: 'png', quality: 92 }, 680, 0),
  ],
  edges: [edge('fill', 'image', 'shrink', 'image'), edge('shrink', 'image', 'save', 'images')],
};

const header = (page: Page, id: string) => graphNode(page, id).locator('.graph-node-header');

async function openMenu(page: Page, id: string) {
  await header(page, id).click({ button: 'right' });
  const menu = page.getByTestId('node-menu');
  await expect(menu).toBeVisible();
  return menu;
}

/** Drags a node by its header; returns nothing, the caller reads positions. */
async function dragHeader(page: Page, id: string, dx: number, dy: number) {
  const box = (await header(page, id).boundingBox())!;
  await page.mouse.move(box.x + 30, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + 30 + dx, box.y + box.height / 2 + dy, { steps: 8 });
  await page.mouse.up();
}

const headerColour = (page: Page, id: string) => header(page, id).evaluate((el) => getComputedStyle(el).backgroundColor);

test('node colour and pin: set from the menu for the selection, pinned does not move, undo/redo, kept by save and reload', async ({ page, request }) => {
  const id = await createWorkflow(request, `node style ${Date.now()}`, chain);
  await page.goto(`/w/${id}`);
  await expect(graphNode(page, 'save')).toBeVisible();
  const plain = await headerColour(page, 'fill');

  // Colour: fill and shrink selected, the menu of one of them tints both; save (not selected) keeps its header.
  await header(page, 'fill').click();
  await header(page, 'shrink').click({ modifiers: [mod] });
  let menu = await openMenu(page, 'shrink');
  await menu.getByRole('menuitemradio', { name: 'Red' }).click();
  await expect(page.getByTestId('node-menu')).toHaveCount(0);
  expect(await headerColour(page, 'fill')).toBe('rgb(138, 58, 58)');
  expect(await headerColour(page, 'shrink')).toBe('rgb(138, 58, 58)');
  expect(await headerColour(page, 'save')).toBe(plain);

  // Pin: the menu of an unselected node pins that node only.
  menu = await openMenu(page, 'save');
  await menu.getByRole('menuitem', { name: 'Pin', exact: true }).click();
  await expect(graphNode(page, 'save').getByTestId('pin-badge')).toBeVisible();
  await expect(page.getByTestId('pin-badge')).toHaveCount(1);

  // A pinned node stays put when dragged; an unpinned one moves (the same drag).
  const before = await canvasPositions(page);
  await dragHeader(page, 'save', 120, 80);
  await header(page, 'fill').click();
  await dragHeader(page, 'fill', 0, 100);
  const after = await canvasPositions(page);
  expect(after.save).toEqual(before.save);
  expect(after.fill.y).toBeGreaterThan(before.fill.y + 60);

  // Undo: the drag of fill, then the pin; redo brings the pin back.
  await page.keyboard.press(`${mod}+z`);
  await expect.poll(async () => (await canvasPositions(page)).fill).toEqual(before.fill);
  await page.keyboard.press(`${mod}+z`);
  await expect(page.getByTestId('pin-badge')).toHaveCount(0);
  await page.keyboard.press(`${mod}+Shift+z`);
  await expect(graphNode(page, 'save').getByTestId('pin-badge')).toBeVisible();

  // Saved as optional node fields; a reload shows both, and the pinned node still does not move.
  await page.keyboard.press(`${mod}+s`);
  await expect(page.getByTestId('unsaved-dot')).toHaveCount(0);
  const saved = await trpcQuery<{ version: { graph: { nodes: { id: string; color?: string; pinned?: boolean }[] } } }>(request, 'workflows.get', { id });
  expect(saved.version.graph.nodes.map((n) => [n.id, n.color, n.pinned])).toEqual([
    ['fill', '#8a3a3a', undefined], ['shrink', '#8a3a3a', undefined], ['save', undefined, true],
  ]);
  await page.reload();
  await expect(graphNode(page, 'save').getByTestId('pin-badge')).toBeVisible();
  expect(await headerColour(page, 'shrink')).toBe('rgb(138, 58, 58)');
  const reloaded = await canvasPositions(page);
  await dragHeader(page, 'save', -150, 60);
  expect((await canvasPositions(page)).save).toEqual(reloaded.save);

  // Unpin and no colour from the menu.
  menu = await openMenu(page, 'save');
  await menu.getByRole('menuitem', { name: 'Unpin', exact: true }).click();
  await expect(page.getByTestId('pin-badge')).toHaveCount(0);
  menu = await openMenu(page, 'shrink');
  await menu.getByRole('menuitemradio', { name: 'No colour' }).click();
  expect(await headerColour(page, 'shrink')).toBe(plain);
  expect(await headerColour(page, 'fill')).toBe('rgb(138, 58, 58)');
});

test('Preview Image shows its picture on the node after Run; the gallery lists only the saved output', async ({ page, request }) => {
  const graph: GraphJson = {
    version: 1,
    nodes: [
      node('fill', 'solid_color', { width: 40, height: 24, color: '#22aa66' }, 0, 0),
      node('shrink', 'resize', { width: 20, height: 12 }, 340, 220),
      node('look', 'preview_image', {}, 680, 220),
      node('save', 'save_image', { filename_prefix: 'kept', format: 'png', quality: 92 }, 340, -40),
    ],
    edges: [edge('fill', 'image', 'save', 'images'), edge('fill', 'image', 'shrink', 'image'), edge('shrink', 'image', 'look', 'images')],
  };
  const id = await createWorkflow(request, `preview image ${Date.now()}`, graph);
  await page.goto(`/w/${id}`);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveText('succeeded', { timeout: 60_000 });

  // On the node: the 20x12 picture, green.
  const shown = graphNode(page, 'look').getByTestId('output-image');
  expect(await loadedSize(shown)).toEqual({ width: 20, height: 12 });
  const pixel = await shown.evaluate((img: HTMLImageElement) => {
    const c = document.createElement('canvas');
    c.width = img.naturalWidth;
    c.height = img.naturalHeight;
    const g = c.getContext('2d')!;
    g.drawImage(img, 0, 0);
    return [...g.getImageData(10, 6, 1, 1).data.slice(0, 3)];
  });
  expect(pixel).toEqual([0x22, 0xaa, 0x66]);
  // In the results, marked as not saved; the saved output beside it is not.
  await expect(page.locator('figure.result[data-kind="temp"] figcaption')).toContainText('preview, not saved');
  await expect(page.locator('figure.result[data-kind="image"] figcaption')).not.toContainText('not saved');

  // The gallery (its API, then its page) has the Save Image output only.
  const gallery = await trpcQuery<{ items: { width: number; height: number; url: string }[] }>(request, 'gallery.list', { workflowId: id });
  expect(gallery.items.map((i) => [i.width, i.height])).toEqual([[40, 24]]);
  const previewUrl = await shown.getAttribute('src');
  await page.goto('/gallery');
  await expect(page.locator(`img[src="${gallery.items[0].url}"]`).first()).toBeVisible();
  await expect(page.locator(`img[src="${previewUrl}"]`)).toHaveCount(0);
});

test('a wire crossing a node takes the click and the right-click there; the node keeps its clicks elsewhere', async ({ page, request }) => {
  // fill -> save runs straight across "middle", which is wired to nothing on that line.
  const graph: GraphJson = {
    version: 1,
    nodes: [
      node('fill', 'solid_color', { width: 32, height: 32, color: '#3366cc' }, 0, 0),
      node('middle', 'resize', { width: 16, height: 16 }, 380, -60),
      node('save', 'save_image', { filename_prefix: 'wire', format: 'png', quality: 92 }, 760, 0),
    ],
    edges: [edge('fill', 'image', 'save', 'images')],
  };
  const id = await createWorkflow(request, `wire over node ${Date.now()}`, graph);
  await page.goto(`/w/${id}`);
  await expect(graphNode(page, 'middle')).toBeVisible();
  const wire = page.locator('.react-flow__edge[data-id="fill:image->save:images"]');
  // Drawn over the nodes too: a copy of the line above them (it takes no pointer; the click below goes to the wire).
  const line = await wire.locator('path.react-flow__edge-path').getAttribute('d');
  const over = page.locator('svg.wire-over-nodes path[data-wire="fill:image->save:images"]');
  await expect(over).toHaveAttribute('d', line!);
  expect(await over.evaluate((p) => getComputedStyle(p.closest('svg')!).zIndex)).toBe('1001');

  // Where the wire crosses the middle node's label column (its widgets keep their own clicks), checked to be the
  // node's body and no control.
  const box = (await graphNode(page, 'middle').boundingBox())!;
  const mid = await wire.locator('path.react-flow__edge-path').evaluate((p: SVGPathElement, left: number) => {
    const m = p.getScreenCTM()!;
    const screen = (l: number) => {
      const pt = p.getPointAtLength(l);
      return { x: pt.x * m.a + pt.y * m.c + m.e, y: pt.x * m.b + pt.y * m.d + m.f };
    };
    let l = 0;
    while (screen(l).x < left && l < p.getTotalLength()) l += 1;
    return screen(l);
  }, box.x + 24);
  expect(mid.y).toBeGreaterThan(box.y + 30);
  expect(mid.y).toBeLessThan(box.y + box.height - 10);
  expect(await page.evaluate(({ x, y }) => {
    const hit = document.elementFromPoint(x, y)!;
    return [!!hit.closest('[data-node-id="middle"]'), !!hit.closest('input, select, textarea, button, .react-flow__handle')];
  }, mid)).toEqual([true, false]);

  await page.mouse.click(mid.x, mid.y);
  await expect(wire).toHaveClass(/selected/);
  await expect(page.locator('.react-flow__node.selected')).toHaveCount(0);

  await page.mouse.click(mid.x, mid.y, { button: 'right' });
  const edgeMenu = page.getByTestId('edge-menu');
  await expect(edgeMenu).toBeVisible();
  await expect(page.getByTestId('node-menu')).toHaveCount(0);
  await page.keyboard.press('Escape');
  await expect(edgeMenu).toHaveCount(0);

  // A drag from the same point still moves the node; away from the wire it is clicked as before.
  const before = await canvasPositions(page);
  await page.mouse.move(mid.x, mid.y);
  await page.mouse.down();
  await page.mouse.move(mid.x, mid.y + 60, { steps: 6 });
  await page.mouse.up();
  expect((await canvasPositions(page)).middle.y).toBeGreaterThan(before.middle.y + 30);
  await header(page, 'middle').click();
  await expect(page.locator('.react-flow__node.selected')).toHaveCount(1);
  await expect(wire).not.toHaveClass(/selected/);
  const menu = await openMenu(page, 'middle');
  await expect(menu.getByRole('menuitem', { name: 'Pin', exact: true })).toBeVisible();
});
