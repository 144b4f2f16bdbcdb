// Finding and reading things in the editor: Quick-add ranks exact/prefix titles, ComfyUI aliases and params
// first; "?" shows every shortcut; the app's questions (break at step, leave, restore, import) are in-app dialogs,
// never native ones; the minimap can be hidden (remembered); and a page load asks for nothing missing (favicon).
import { expect, test, type Page } from '@playwright/test';
import { colourGraph, createWorkflow, templateGraph, type GraphJson } from './api';
import { graphNode } from './canvas';
import { dropFile } from './files';
import { TXT2IMG_TEMPLATE } from './scenario';

const EMPTY: GraphJson = { version: 1, nodes: [], edges: [] };

/** Fails the test on any native alert/confirm/prompt: every question must be an in-app dialog. */
function forbidNativeDialogs(page: Page): string[] {
  const seen: string[] = [];
  page.on('dialog', (d) => { seen.push(`${d.type()}: ${d.message()}`); void d.dismiss(); });
  return seen;
}

/** Double-clicks the empty canvas at `at` (relative to the pane) and types into the search box that opens. */
async function quickAdd(page: Page, query: string, at: { x: number; y: number }): Promise<void> {
  await page.locator('.react-flow__pane').dblclick({ position: at });
  await page.getByRole('searchbox', { name: 'Add node' }).fill(query);
}

async function nodeTypes(page: Page): Promise<string[]> {
  return page.getByTestId('graph-node').evaluateAll((els) => els.map((e) => e.getAttribute('data-node-type') ?? ''));
}

test('Quick-add: "ksampler" + Enter adds the Sampler (ComfyUI class name as an alias)', async ({ page, request }) => {
  const id = await createWorkflow(request, `find ${Date.now()}`, EMPTY);
  await page.goto(`/w/${id}`);
  await expect(page.getByTestId('palette-item-sampler')).toBeVisible();
  await expect(page.getByTestId('graph-node')).toHaveCount(0);

  await quickAdd(page, 'ksampler', { x: 40, y: 40 });
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('graph-node')).toHaveCount(1);
  expect(await nodeTypes(page)).toEqual(['sampler']);
});

test('Quick-add: "sampler" + Enter adds the Sampler; "seed" lists the Seed primitive, then it; an empty query lists it first once used', async ({ page, request }) => {
  const id = await createWorkflow(request, `find ${Date.now()}`, EMPTY);
  await page.goto(`/w/${id}`);
  await expect(page.getByTestId('palette-item-sampler')).toBeVisible();
  await page.evaluate(() => localStorage.clear());

  // The exact title beats nodes that only mention "sampler" in their description (Empty Latent).
  await quickAdd(page, 'sampler', { x: 40, y: 40 });
  await expect(page.getByTestId('quick-add').getByRole('option').first()).toHaveText(/^Sampler/);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('graph-node')).toHaveCount(1);
  expect(await nodeTypes(page)).toEqual(['sampler']);

  // A param name finds the nodes that have it, after the node titled so (the Seed primitive).
  await quickAdd(page, 'seed', { x: 400, y: 40 });
  const options = page.getByTestId('quick-add').getByRole('option');
  await expect(options.first()).toHaveText(/^Seed/);
  await expect(options.nth(1)).toHaveText(/^Sampler/);
  await page.keyboard.press('Escape');
  await expect(page.getByRole('searchbox', { name: 'Add node' })).toHaveCount(0);

  // An empty query lists the recently added node first, also after a reload.
  await page.reload();
  await quickAdd(page, '', { x: 400, y: 40 });
  await expect(page.getByTestId('quick-add').getByRole('option').first()).toHaveText(/^Sampler/);
});

test('"?" opens the shortcuts overlay, Esc closes it', async ({ page, request }) => {
  const id = await createWorkflow(request, `keys ${Date.now()}`, colourGraph());
  await page.goto(`/w/${id}`);
  await expect(graphNode(page, 'fill')).toBeVisible();
  await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });

  await page.keyboard.press('?');
  const overlay = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(overlay).toBeVisible();
  for (const text of ['Save version', 'Undo', 'Bypass', 'Pause / resume the run', 'Show / hide the minimap', 'This list of shortcuts']) {
    await expect(overlay).toContainText(text);
  }
  await page.keyboard.press('Escape');
  await expect(overlay).toHaveCount(0);

  // Typed into a text field, "?" is just a character.
  const colour = graphNode(page, 'fill').getByTestId('param-color');
  await colour.fill('#3366c?');
  await expect(page.getByRole('dialog')).toHaveCount(0);
});

test('"Break at step…" asks in an in-app dialog that validates the step', async ({ page, request }) => {
  const native = forbidNativeDialogs(page);
  const id = await createWorkflow(request, `break ${Date.now()}`, templateGraph(TXT2IMG_TEMPLATE));
  await page.goto(`/w/${id}`);
  await expect(graphNode(page, 'sampler')).toBeVisible();
  await page.getByRole('button', { name: 'Debug', exact: true }).click();

  await graphNode(page, 'sampler').locator('.graph-node-header').click({ button: 'right' });
  await page.getByTestId('node-menu').getByRole('menuitem', { name: 'Break at step…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Break at step' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toHaveAttribute('aria-modal', 'true');
  const input = dialog.getByRole('spinbutton');
  await expect(input).toBeFocused();

  await input.fill('-3');
  await page.keyboard.press('Enter');
  await expect(dialog.getByRole('alert')).toHaveText('Give a whole number ≥ 0 (0 = before the first step).');
  await expect(graphNode(page, 'sampler').getByTestId('breakpoint-badge')).toHaveCount(0);

  await input.fill('7');
  await page.keyboard.press('Enter');
  await expect(dialog).toHaveCount(0);
  await expect(graphNode(page, 'sampler').getByTestId('breakpoint-badge')).toHaveText('● step 7');

  // Esc cancels without setting anything.
  await graphNode(page, 'sampler').locator('.graph-node-header').click({ button: 'right' });
  await page.getByTestId('node-menu').getByRole('menuitem', { name: 'Break at step…' }).click();
  await expect(dialog).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(graphNode(page, 'sampler').getByTestId('breakpoint-badge')).toHaveText('● step 7');
  expect(native).toEqual([]);
});

test('leaving with unsaved changes through the Runs link asks in-app; Cancel stays, Leave goes', async ({ page, request }) => {
  const native = forbidNativeDialogs(page);
  const id = await createWorkflow(request, `leave ${Date.now()}`, colourGraph());
  await page.goto(`/w/${id}`);
  await graphNode(page, 'fill').getByTestId('param-color').fill('#404040');
  await expect(page.getByTestId('unsaved-dot')).toBeVisible();

  await page.getByRole('link', { name: 'Runs', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Unsaved changes' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page).toHaveURL(new RegExp(`/w/${id}$`));
  await expect(graphNode(page, 'fill').getByTestId('param-color')).toHaveValue('#404040');

  await page.getByRole('link', { name: 'Runs', exact: true }).click();
  await dialog.getByRole('button', { name: 'Leave without saving' }).click();
  await expect(page).toHaveURL(/\/runs$/);
  expect(native).toEqual([]);
});

test('restoring over unsaved edits and importing over a non-empty canvas ask in-app', async ({ page, request }) => {
  const native = forbidNativeDialogs(page);
  const id = await createWorkflow(request, `replace ${Date.now()}`, colourGraph('#101010'));
  await page.goto(`/w/${id}`);
  const colour = graphNode(page, 'fill').getByTestId('param-color');
  await colour.fill('#202020');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByTestId('unsaved-dot')).toHaveCount(0);
  await colour.fill('#303030');

  await page.getByRole('tab', { name: 'Versions' }).click();
  const restore = page.getByRole('dialog', { name: 'Restore version 1?' });
  await page.getByRole('button', { name: 'Restore v1' }).click();
  await expect(restore).toBeVisible();
  await restore.getByRole('button', { name: 'Cancel' }).click();
  await expect(restore).toHaveCount(0);
  await expect(colour).toHaveValue('#303030');
  await page.getByRole('button', { name: 'Restore v1' }).click();
  await restore.getByRole('button', { name: 'Restore' }).click();
  await expect(colour).toHaveValue('#101010');

  // A workflow file dropped on the canvas: Esc keeps the canvas, Enter (on the focused Replace) takes the file.
  const file = JSON.stringify({ ...templateGraph(TXT2IMG_TEMPLATE), meta: { name: 'txt2img' } });
  const replace = page.getByRole('dialog', { name: 'Replace the canvas?' });
  await dropFile(page.getByTestId('canvas'), 'txt2img.json', 'application/json', file);
  await expect(replace).toContainText('Replace the 2 node(s) on the canvas');
  await page.keyboard.press('Escape');
  await expect(replace).toHaveCount(0);
  await expect(page.getByTestId('graph-node')).toHaveCount(2);
  await dropFile(page.getByTestId('canvas'), 'txt2img.json', 'application/json', file);
  await expect(replace).toBeVisible();
  await page.keyboard.press('Enter');
  await expect(graphNode(page, 'sampler')).toBeVisible();
  await expect(page.getByTestId('graph-node')).toHaveCount(7);
  expect(native).toEqual([]);
});

test('the minimap can be hidden (button and "M"), and the choice survives a reload', async ({ page, request }) => {
  const id = await createWorkflow(request, `minimap ${Date.now()}`, colourGraph());
  await page.goto(`/w/${id}`);
  const minimap = page.locator('.react-flow__minimap');
  await expect(minimap).toBeVisible();

  const hide = page.getByRole('button', { name: 'Hide minimap' });
  await expect(hide).toBeVisible();
  await hide.click();
  await expect(minimap).toHaveCount(0);
  await page.reload();
  await expect(graphNode(page, 'fill')).toBeVisible();
  await expect(minimap).toHaveCount(0);

  await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('m');
  await expect(minimap).toBeVisible();
  await page.reload();
  await expect(minimap).toBeVisible();
  await expect(page.getByRole('button', { name: 'Hide minimap' })).toBeVisible();
});

test('no page load logs a 404', async ({ page, request }) => {
  const failures: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') failures.push(`console: ${m.text()}`); });
  page.on('response', (r) => { if (r.status() === 404) failures.push(`404: ${r.url()}`); });
  const id = await createWorkflow(request, `icon ${Date.now()}`, colourGraph());
  for (const path of ['/', `/w/${id}`, '/runs']) {
    await page.goto(path, { waitUntil: 'networkidle' });
  }
  expect(failures).toEqual([]);
  // The icon is declared, so the browser asks for it rather than guessing /favicon.ico.
  await page.goto('/', { waitUntil: 'networkidle' });
  const icon = await page.locator('link[rel="icon"]').first().getAttribute('href');
  expect(icon).toBeTruthy();
  expect((await request.get(icon!)).status()).toBe(200);
});
