// Group frames: Ctrl+G frames the selected nodes (behind them, not stealing their clicks); dragging the frame's title
// moves the nodes in it by the same amount (undoable); the title is renamed and kept by Save and a reload; Ctrl+B on
// the selected frame bypasses its nodes; Ungroup removes the frame and leaves the nodes; restoring the version that had
// the frame brings it back. The selection toolbar aligns.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { createWorkflow, trpcQuery, type GraphJson } from './api';
import { canvasPositions, graphNode } from './canvas';

const mod = process.platform === 'darwin' ? 'Meta' : 'Control';

const graph: GraphJson = {
  version: 1,
  nodes: [
    { id: 'fill', type: 'solid_color', typeVersion: 1, params: { width: 96, height: 64, color: '#884422' }, position: { x: 0, y: 0 } },
    { id: 'shrink', type: 'resize', typeVersion: 1, params: { width: 24, height: 16 }, position: { x: 340, y: 40 } },
    { id: 'save', type: 'save_image', typeVersion: 1, params: { filename_prefix: 'groups', format: 'png', quality: 92 }, position: { x: 760, y: 0 } },
  ],
  edges: [
    { from: { node: 'fill', output: 'image' }, to: { node: 'shrink', input: 'image' } },
    { from: { node: 'shrink', output: 'image' }, to: { node: 'save', input: 'images' } },
  ],
};

async function box(l: Locator) {
  const b = await l.boundingBox();
  if (!b) throw new Error('element has no box (not visible?)');
  return b;
}

const inside = (inner: { x: number; y: number; width: number; height: number }, outer: typeof inner) =>
  inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.width <= outer.x + outer.width && inner.y + inner.height <= outer.y + outer.height;

/** The frame's flow position, from its transform (as canvasPositions reads nodes'). */
async function framePosition(frame: Locator): Promise<{ x: number; y: number }> {
  const t = await frame.evaluate((el) => (el as HTMLElement).style.transform);
  const m = /translate\((-?[\d.]+)px,\s*(-?[\d.]+)px\)/.exec(t);
  if (!m) throw new Error(`frame: unexpected transform "${t}"`);
  return { x: Number(m[1]), y: Number(m[2]) };
}

/** Presses at `a`, moves like a hand in small steps, releases at `a` + `d`. */
async function dragBy(page: Page, a: { x: number; y: number }, d: { x: number; y: number }): Promise<void> {
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move(a.x + d.x / 2, a.y + d.y / 2, { steps: 8 });
  await page.mouse.move(a.x + d.x, a.y + d.y, { steps: 8 });
  await page.mouse.up();
}

async function selectFillAndShrink(page: Page): Promise<void> {
  await graphNode(page, 'fill').locator('.graph-node-header').click();
  await graphNode(page, 'shrink').locator('.graph-node-header').click({ modifiers: [mod] });
  await expect(page.locator('.react-flow__node.selected')).toHaveCount(2);
}

test('Ctrl+G frames the selection; the frame moves its nodes, is renamed, saved, bypassed and ungrouped', async ({ page, request }) => {
  const id = await createWorkflow(request, `groups ${Date.now()}`, graph);
  await page.goto(`/w/${id}`);
  await expect(graphNode(page, 'save')).toBeVisible();
  await selectFillAndShrink(page);
  await expect(page.getByTestId('selection-toolbar')).toBeVisible();
  await page.keyboard.press(`${mod}+g`);

  const frame = page.getByTestId('group-frame');
  await expect(frame).toHaveCount(1);
  // The new frame is selected in place of its nodes (the toolbar goes with the node selection).
  await expect(frame).toHaveClass(/selected/);
  await expect(page.locator('.react-flow__node.selected')).toHaveCount(0);
  await expect(page.getByTestId('selection-toolbar')).toHaveCount(0);
  await expect(frame.getByTestId('group-title')).toHaveText('Group');
  const frameBox = await box(frame);
  expect(inside(await box(graphNode(page, 'fill')), frameBox)).toBe(true);
  expect(inside(await box(graphNode(page, 'shrink')), frameBox)).toBe(true);
  const saveBox = await box(graphNode(page, 'save'));
  expect(saveBox.x).toBeGreaterThan(frameBox.x + frameBox.width);

  // Behind the nodes: a press on a framed node reaches the node; the frame's empty inside is the canvas pane.
  const fillBox = await box(graphNode(page, 'fill'));
  const hit = (x: number, y: number) => page.evaluate(({ x, y }) => {
    const el = document.elementFromPoint(x, y);
    return el?.closest('[data-testid="graph-node"]')?.getAttribute('data-node-id') ?? el?.className ?? '';
  }, { x, y });
  expect(await hit(fillBox.x + fillBox.width / 2, fillBox.y + 10)).toBe('fill');
  expect(String(await hit(frameBox.x + 8, frameBox.y + frameBox.height - 24))).toContain('react-flow__pane');

  // Drag the title: both nodes move by the frame's delta, the node outside stays.
  const before = await canvasPositions(page);
  const frameBefore = await framePosition(frame);
  const title = await box(frame.getByTestId('group-title'));
  await dragBy(page, { x: title.x + 40, y: title.y + title.height / 2 }, { x: 160, y: 120 });
  await expect.poll(async () => (await framePosition(frame)).x).not.toBe(frameBefore.x);
  const frameAfter = await framePosition(frame);
  const delta = { x: frameAfter.x - frameBefore.x, y: frameAfter.y - frameBefore.y };
  expect(delta.x).toBeGreaterThan(0);
  expect(delta.y).toBeGreaterThan(0);
  const after = await canvasPositions(page);
  expect(after.fill).toEqual({ x: before.fill.x + delta.x, y: before.fill.y + delta.y });
  expect(after.shrink).toEqual({ x: before.shrink.x + delta.x, y: before.shrink.y + delta.y });
  expect(after.save).toEqual(before.save);

  // One undo step puts the frame and its nodes back.
  await page.keyboard.press(`${mod}+z`);
  await expect.poll(() => framePosition(frame)).toEqual(frameBefore);
  expect(await canvasPositions(page)).toEqual(before);

  // Rename by double-click, then save and reload: the frame comes back with its title.
  await frame.getByTestId('group-title').dblclick();
  const input = frame.getByRole('textbox', { name: 'Group title' });
  await input.fill('Image prep');
  await input.press('Enter');
  await expect(frame.getByTestId('group-title')).toHaveText('Image prep');
  await page.keyboard.press(`${mod}+s`);
  await expect(page.getByTestId('unsaved-dot')).toHaveCount(0);
  const saved = await trpcQuery<{ version: { graph: { version: number; groups?: { title: string; bounds: { x: number; y: number } }[] } } }>(
    request, 'workflows.get', { id },
  );
  expect(saved.version.graph.version).toBe(3); // the current format (3: subgraphs; groups came with 2)
  expect(saved.version.graph.groups).toHaveLength(1);
  expect(saved.version.graph.groups![0].title).toBe('Image prep');
  expect({ x: saved.version.graph.groups![0].bounds.x, y: saved.version.graph.groups![0].bounds.y }).toEqual(frameBefore);
  await page.reload();
  await expect(frame).toHaveCount(1);
  await expect(frame.getByTestId('group-title')).toHaveText('Image prep');
  expect(await framePosition(frame)).toEqual(frameBefore);
  await expect(page.getByTestId('unsaved-dot')).toHaveCount(0);

  // Ctrl+B on the selected frame bypasses the nodes in it, and again brings them back.
  await frame.getByTestId('group-title').click();
  await expect(frame).toHaveClass(/selected/);
  await page.keyboard.press(`${mod}+b`);
  await expect(graphNode(page, 'fill')).toHaveAttribute('data-mode', 'bypass');
  await expect(graphNode(page, 'shrink')).toHaveAttribute('data-mode', 'bypass');
  await expect(graphNode(page, 'save')).toHaveAttribute('data-mode', 'normal');
  await page.keyboard.press(`${mod}+b`);
  await expect(graphNode(page, 'fill')).toHaveAttribute('data-mode', 'normal');
  await expect(graphNode(page, 'shrink')).toHaveAttribute('data-mode', 'normal');

  // Ungroup from the frame's menu: the frame goes, the nodes stay where they are.
  const kept = await canvasPositions(page);
  await frame.getByTestId('group-title').click({ button: 'right' });
  await page.getByTestId('group-menu').getByRole('menuitem', { name: 'Ungroup' }).click();
  await expect(frame).toHaveCount(0);
  expect(await canvasPositions(page)).toEqual(kept);
  await expect(page.getByTestId('graph-node')).toHaveCount(3);

  // Saved without the frame (v3), then v2 restored: the frame is back with its title and place.
  await page.keyboard.press(`${mod}+s`);
  await expect(page.getByTestId('unsaved-dot')).toHaveCount(0);
  await page.getByRole('tab', { name: 'Versions' }).click();
  await expect(page.getByTestId('versions').locator('li')).toHaveCount(3);
  await page.getByRole('button', { name: 'Restore v2' }).click();
  await expect(frame).toHaveCount(1);
  await expect(frame.getByTestId('group-title')).toHaveText('Image prep');
  expect(await framePosition(frame)).toEqual(frameBefore);
});

test('the selection toolbar aligns the selected nodes\' top edges', async ({ page, request }) => {
  const id = await createWorkflow(request, `align ${Date.now()}`, graph);
  await page.goto(`/w/${id}`);
  await expect(graphNode(page, 'save')).toBeVisible();
  await selectFillAndShrink(page);
  const before = await canvasPositions(page);
  expect(before.shrink.y).toBe(40);
  await page.getByTestId('selection-toolbar').getByRole('button', { name: 'Align top edges' }).click();
  await expect.poll(async () => (await canvasPositions(page)).shrink).toEqual({ x: before.shrink.x, y: before.fill.y });
  expect((await canvasPositions(page)).fill).toEqual(before.fill);
  expect((await canvasPositions(page)).save).toEqual(before.save);
});
