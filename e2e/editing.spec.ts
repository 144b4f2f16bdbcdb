// Editing by keyboard: duplicate, copy/paste, select-all + delete, undo/redo, input edge replacement,
// node renaming, double-click quick-add, and the unsaved-changes mark.
import { expect, test, type Page } from '@playwright/test';
import { colourGraph, createWorkflow, trpcQuery } from './api';
import { connect, edgeIds, graphNode } from './canvas';

const mod = process.platform === 'darwin' ? 'Meta' : 'Control';

async function nodeIds(page: Page): Promise<string[]> {
  const ids = await page.getByTestId('graph-node').evaluateAll((els) => els.map((e) => e.getAttribute('data-node-id') ?? ''));
  return ids.sort();
}

test('keyboard editing with undo/redo', async ({ page, request }) => {
  const id = await createWorkflow(request, 'editing', colourGraph());
  await page.goto(`/w/${id}`);
  await expect(graphNode(page, 'fill')).toBeVisible();
  await expect(page.getByTestId('unsaved-dot')).toHaveCount(0);

  // Select the fill node by its header and duplicate it.
  await graphNode(page, 'fill').locator('.graph-node-header').click();
  await page.keyboard.press(`${mod}+d`);
  expect(await nodeIds(page)).toEqual(['fill', 'save', 'solid_color_1']);
  await expect(page.getByTestId('unsaved-dot')).toBeVisible();

  // The copy keeps its params.
  await expect(graphNode(page, 'solid_color_1').getByTestId('param-color')).toHaveValue('#3366cc');

  // A second edge into the same input replaces the first.
  await connect(page, ['solid_color_1', 'image'], ['save', 'images']);
  expect(await edgeIds(page)).toEqual(['solid_color_1:image->save:images']);

  // Undo twice: the old edge comes back, then the copy goes.
  await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press(`${mod}+z`);
  expect(await edgeIds(page)).toEqual(['fill:image->save:images']);
  await page.keyboard.press(`${mod}+z`);
  expect(await nodeIds(page)).toEqual(['fill', 'save']);
  await expect(page.getByTestId('unsaved-dot')).toHaveCount(0);
  await page.keyboard.press(`${mod}+Shift+z`);
  expect(await nodeIds(page)).toEqual(['fill', 'save', 'solid_color_1']);
  await page.keyboard.press(`${mod}+z`);

  // Copy both nodes, paste: new ids, the internal edge follows.
  await page.keyboard.press(`${mod}+a`);
  await page.keyboard.press(`${mod}+c`);
  await page.keyboard.press(`${mod}+v`);
  expect(await nodeIds(page)).toEqual(['fill', 'save', 'save_image_1', 'solid_color_1']);
  expect(await edgeIds(page)).toEqual(['fill:image->save:images', 'solid_color_1:image->save_image_1:images']);

  // Select all and delete: an empty canvas; one undo brings everything back.
  await page.keyboard.press(`${mod}+a`);
  await page.keyboard.press('Delete');
  await expect(page.getByTestId('graph-node')).toHaveCount(0);
  await page.keyboard.press(`${mod}+z`);
  await expect(page.getByTestId('graph-node')).toHaveCount(4);

  // Typing in a field is not a graph shortcut: Ctrl+A selects the text, not the nodes.
  const color = graphNode(page, 'fill').getByTestId('param-color');
  await color.click();
  await page.keyboard.press(`${mod}+a`);
  await page.keyboard.type('#ffffff');
  await expect(color).toHaveValue('#ffffff');
  // (Clicking into a field may select that one node; Ctrl+A must not have selected all four.)
  expect(await page.locator('.react-flow__node.selected').count()).toBeLessThanOrEqual(1);

  // Double-click a node's title to rename it; Backspace edits the text (the node stays); undo brings the old name back.
  const title = graphNode(page, 'fill').getByTestId('node-title');
  await expect(title).toHaveText('Solid Colour');
  await title.dblclick();
  const titleInput = graphNode(page, 'fill').getByRole('textbox', { name: 'Node title' });
  await titleInput.press('Backspace');
  await titleInput.fill('Background');
  await titleInput.press('Enter');
  await expect(title).toHaveText('Background');
  expect(await nodeIds(page)).toEqual(['fill', 'save', 'save_image_1', 'solid_color_1']);
  await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press(`${mod}+z`);
  await expect(title).toHaveText('Solid Colour');
  await page.keyboard.press(`${mod}+Shift+z`);
  await expect(title).toHaveText('Background');

  // The About tab keeps a description (saved on leaving the field; not a new version).
  await page.getByRole('tab', { name: 'About' }).click();
  await page.getByLabel('Description').fill('Two colour fills, for the docs');
  await page.getByRole('tab', { name: 'Results' }).click();
  await expect(page.getByTestId('toast').last()).toContainText('Description saved');
  expect((await trpcQuery<{ description: string; currentVersion: number }>(request, 'workflows.get', { id })))
    .toMatchObject({ description: 'Two colour fills, for the docs', currentVersion: 1 });

  // Double-click on empty canvas opens the search box; Enter adds the first match there.
  await page.locator('.react-flow__pane').dblclick({ position: { x: 300, y: 600 } });
  await page.getByRole('searchbox', { name: 'Add node' }).fill('resize');
  await page.keyboard.press('Enter');
  await expect(graphNode(page, 'resize_1')).toBeVisible();
  // Its top-left corner lands where the canvas was double-clicked (within the 20 px snap grid).
  const pane = (await page.locator('.react-flow__pane').boundingBox())!;
  const added = (await graphNode(page, 'resize_1').boundingBox())!;
  expect(Math.abs(added.x - (pane.x + 300))).toBeLessThan(25);
  expect(Math.abs(added.y - (pane.y + 600))).toBeLessThan(25);
});

test('save versions with messages and restore an older one', async ({ page, request }) => {
  const id = await createWorkflow(request, 'versions', colourGraph('#101010'));
  await page.goto(`/w/${id}`);
  const color = graphNode(page, 'fill').getByTestId('param-color');
  await color.fill('#202020');
  await page.getByPlaceholder('version message (optional)').fill('darker grey');
  await page.keyboard.press(`${mod}+s`);
  await expect(page.getByTestId('unsaved-dot')).toHaveCount(0);
  await expect(page.getByTestId('workflow-title')).toContainText('versions');

  await color.fill('#303030');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByTestId('unsaved-dot')).toHaveCount(0);

  await page.getByRole('tab', { name: 'Versions' }).click();
  const versions = page.getByTestId('versions').locator('li');
  await expect(versions).toHaveCount(3);
  await expect(versions.nth(1)).toContainText('darker grey');

  // Any version opens read-only: its values, no Save, no editing, a way back.
  await page.getByRole('link', { name: 'View v2' }).click();
  await expect(page).toHaveURL(new RegExp(`/w/${id}\\?v=2$`));
  await expect(page.getByTestId('version-banner')).toContainText('Viewing version 2 of 3');
  await expect(color).toHaveValue('#202020');
  await expect(color).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Save', exact: true })).toHaveCount(0);
  await expect(page.getByTestId('palette-item-sampler')).toHaveCount(0);
  await page.keyboard.press(`${mod}+s`);
  await expect(page.getByTestId('toast').last()).toContainText('read-only');
  await page.getByRole('link', { name: 'Back to latest' }).click();
  await expect(page.getByTestId('version-banner')).toHaveCount(0);
  await expect(color).toHaveValue('#303030');
  await page.getByRole('tab', { name: 'Versions' }).click();

  await page.getByRole('button', { name: 'Restore v1' }).click();
  await expect(color).toHaveValue('#101010');
  await expect(versions).toHaveCount(4);
  await expect(versions.first()).toContainText('restored version 1');
  await expect(page.getByTestId('unsaved-dot')).toHaveCount(0);

  // Leaving with unsaved changes asks first (in-app); Esc keeps the editor open.
  await color.fill('#404040');
  const leave = page.getByRole('dialog', { name: 'Unsaved changes' });
  await page.getByRole('link', { name: 'Library', exact: true }).click();
  await expect(leave).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(leave).toHaveCount(0);
  await expect(page).toHaveURL(new RegExp(`/w/${id}$`));
  await page.getByRole('link', { name: 'Library', exact: true }).click();
  await leave.getByRole('button', { name: 'Leave without saving' }).click();
  await expect(page).toHaveURL(/\/$/);
});
