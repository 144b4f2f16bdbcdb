// The empty canvas's right-click menu: keyboard focus and Escape, a node added and a copy pasted where the click
// was, select all, and Arrange (data-flow columns, no overlaps, one undo back).
import { expect, test, type Page } from '@playwright/test';
import { createWorkflow, type GraphJson } from './api';
import { canvasPositions, edgeIds, graphNode } from './canvas';
import { nodeMenu } from './debugging';

const mod = process.platform === 'darwin' ? 'Meta' : 'Control';
const node = (id: string, type: string, params: Record<string, unknown>, x: number, y: number) =>
  ({ id, type, typeVersion: 1, params, position: { x, y } });
const edge = (from: string, output: string, to: string, input: string) => ({ from: { node: from, output }, to: { node: to, input } });

/** fill -> shrink -> save, drawn right to left (save leftmost) so Arrange has something to do. */
const graph: GraphJson = {
  version: 1,
  nodes: [
    node('save', 'save_image', { filename_prefix: 'menu', format: 'png', quality: 92 }, 0, 0),
    node('shrink', 'resize', { width: 24, height: 16 }, 340, 260),
    node('fill', 'solid_color', { width: 96, height: 64, color: '#336699' }, 700, 0),
  ],
  edges: [edge('fill', 'image', 'shrink', 'image'), edge('shrink', 'image', 'save', 'images')],
};

/** A point of the empty canvas, `dx`/`dy` from the middle of its lower part (checked to be the bare pane). */
async function emptyPoint(page: Page, dx: number, dy = 0): Promise<{ x: number; y: number }> {
  const box = (await page.getByTestId('canvas').boundingBox())!;
  const p = { x: box.x + box.width / 2 + dx, y: box.y + box.height - 140 + dy };
  expect(String(await page.evaluate(({ x, y }) => document.elementFromPoint(x, y)?.className, p))).toContain('react-flow__pane');
  return p;
}

async function openMenu(page: Page, at: { x: number; y: number }) {
  await page.mouse.click(at.x, at.y, { button: 'right' });
  const menu = page.getByTestId('canvas-menu');
  await expect(menu).toBeVisible();
  return menu;
}

/** Screen box of a node, to compare with where the menu was opened. */
async function topLeft(page: Page, id: string) {
  const box = (await page.getByTestId(`rf__node-${id}`).boundingBox())!;
  return { x: box.x, y: box.y };
}

test('canvas menu: keyboard, add node and paste at the click, select all, arrange', async ({ page, request }) => {
  const id = await createWorkflow(request, `canvas menu ${Date.now()}`, graph);
  await page.goto(`/w/${id}`);
  await expect(graphNode(page, 'fill')).toBeVisible();

  // Keyboard: the first item has focus, arrows move, Escape closes. Nothing copied yet: no Paste.
  let menu = await openMenu(page, await emptyPoint(page, -200));
  await expect(menu.getByRole('menuitem')).toHaveText(['Add node here…', 'Select all', 'Arrange']);
  await expect(menu.getByRole('menuitem', { name: 'Add node here…' })).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(menu.getByRole('menuitem', { name: 'Select all' })).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  await expect(menu.getByRole('menuitem', { name: 'Arrange' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(menu).toHaveCount(0);

  // Add node here: the node search opens, the node picked lands at the click (within the snap grid).
  const addAt = await emptyPoint(page, -200);
  menu = await openMenu(page, addAt);
  await menu.getByRole('menuitem', { name: 'Add node here…' }).click();
  await page.getByTestId('quick-add').getByRole('searchbox', { name: 'Add node' }).fill('crop');
  await page.keyboard.press('Enter');
  await expect(graphNode(page, 'crop_1')).toBeVisible();
  const added = await topLeft(page, 'crop_1');
  expect(Math.abs(added.x - addAt.x)).toBeLessThan(25);
  expect(Math.abs(added.y - addAt.y)).toBeLessThan(25);

  // Paste here: the copied fill lands at the click.
  await graphNode(page, 'fill').locator('.graph-node-header').click();
  await page.keyboard.press(`${mod}+c`);
  const pasteAt = await emptyPoint(page, 150);
  menu = await openMenu(page, pasteAt);
  await menu.getByRole('menuitem', { name: 'Paste here' }).click();
  await expect(graphNode(page, 'solid_color_1')).toBeVisible();
  const pasted = await topLeft(page, 'solid_color_1');
  expect(Math.abs(pasted.x - pasteAt.x)).toBeLessThan(25);
  expect(Math.abs(pasted.y - pasteAt.y)).toBeLessThan(25);

  // Select all.
  await (await openMenu(page, await emptyPoint(page, -300, 60))).getByRole('menuitem', { name: 'Select all' }).click();
  await expect(page.locator('.react-flow__node.selected')).toHaveCount(5);

  // Arrange: data-flow columns left to right, nothing overlapping; one undo puts everything back.
  const before = await canvasPositions(page);
  await (await openMenu(page, await emptyPoint(page, -300, 60))).getByRole('menuitem', { name: 'Arrange' }).click();
  await expect.poll(async () => (await canvasPositions(page)).save.x).toBeGreaterThan(before.save.x);
  const after = await canvasPositions(page);
  expect(after.fill.x).toBeLessThan(after.shrink.x);
  expect(after.shrink.x).toBeLessThan(after.save.x);
  const boxes = await page.locator('.react-flow__node').evaluateAll((els) => els.map((el) => el.getBoundingClientRect().toJSON() as DOMRect));
  for (const [i, a] of boxes.entries()) {
    for (const b of boxes.slice(i + 1)) {
      const overlap = a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
      expect(overlap, `${JSON.stringify(a)} overlaps ${JSON.stringify(b)}`).toBe(false);
    }
  }
  await page.keyboard.press(`${mod}+z`);
  await expect.poll(() => canvasPositions(page)).toEqual(before);
});

test('node menu: collapse, duplicate with its settings, delete with its wires, each one undo', async ({ page, request }) => {
  const id = await createWorkflow(request, `node menu ${Date.now()}`, graph);
  await page.goto(`/w/${id}`);
  await expect(graphNode(page, 'shrink')).toBeVisible();

  await nodeMenu(page, 'shrink', 'Collapse');
  await expect(graphNode(page, 'shrink')).toHaveClass(/collapsed/);
  await nodeMenu(page, 'shrink', 'Expand');
  await expect(graphNode(page, 'shrink')).not.toHaveClass(/collapsed/);

  // The copy is a resize node with the original's 24x16, unwired (its neighbours were not copied).
  const edgesBefore = (await edgeIds(page)).length;
  expect(edgesBefore).toBe(2);
  await nodeMenu(page, 'shrink', 'Duplicate');
  const copies = page.locator('[data-testid="graph-node"][data-node-type="resize"]:not([data-node-id="shrink"])');
  await expect(copies).toHaveCount(1);
  await expect(copies.getByTestId('param-width')).toHaveValue('24');
  await expect(copies.getByTestId('param-height')).toHaveValue('16');
  expect(await edgeIds(page)).toHaveLength(2);

  // Delete takes the node and both its wires; one Ctrl+Z brings all three back.
  await nodeMenu(page, 'shrink', 'Delete');
  await expect(graphNode(page, 'shrink')).toHaveCount(0);
  await expect.poll(async () => (await edgeIds(page)).length).toBe(0);
  await page.keyboard.press(`${mod}+z`);
  await expect(graphNode(page, 'shrink')).toBeVisible();
  await expect.poll(async () => (await edgeIds(page)).length).toBe(2);
});
