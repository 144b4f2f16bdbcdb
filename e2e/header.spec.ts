// The editor header with accounts on (AUTH=local): after a run, at 1280 and 1440 px wide, the Library and Runs
// links are the topmost element at their centres (clickable), nothing in the header wraps onto a second line, the
// version-message box keeps a usable width, and the secondary actions sit in a keyboard-operable "⋯" menu.
import { expect, test, type Browser, type Page } from '@playwright/test';
import { templateGraph, trpcMutation } from './api';
import { useLocalAuthServer } from './local-auth-server';
import { signedUpPerson } from './people';
import { TXT2IMG_TEMPLATE } from './scenario';

const server = useLocalAuthServer();

/** Texts in the header that break onto more than one line (by their line boxes), with their line counts. */
async function wrappedHeaderItems(page: Page): Promise<string[]> {
  return page.locator('header.topnav').evaluate((header) => {
    const wrapped: string[] = [];
    const walker = document.createTreeWalker(header, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (!n.textContent?.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(n);
      const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
      if (tops.size > 1) wrapped.push(`"${n.textContent.trim()}" on ${tops.size} lines`);
    }
    // Controls too: each one line tall (a wrapped button label makes the button taller than its line height + chrome).
    for (const el of header.querySelectorAll<HTMLElement>('button, a, input, h1, [data-testid]')) {
      const cs = getComputedStyle(el);
      // Rows of items (flex/grid containers) are checked through their items.
      if (!el.offsetParent || cs.display.includes('flex') || cs.display.includes('grid')) continue;
      const line = parseFloat(cs.lineHeight) || parseFloat(cs.fontSize) * 1.4;
      const chrome = parseFloat(cs.paddingTop) + parseFloat(cs.paddingBottom) + parseFloat(cs.borderTopWidth) + parseFloat(cs.borderBottomWidth);
      const h = el.getBoundingClientRect().height;
      if (h > line + chrome + 2 && el.tagName !== 'INPUT') wrapped.push(`<${el.tagName.toLowerCase()}> "${el.textContent?.trim().slice(0, 30)}" is ${h}px tall (one line: ${line + chrome}px)`);
    }
    return wrapped;
  });
}

/** What is on top at the centre of the link (null when it is the link itself). */
async function coverOf(page: Page, name: string): Promise<string | null> {
  const link = page.locator('header.topnav nav').getByRole('link', { name, exact: true });
  await expect(link).toBeVisible();
  return link.evaluate((el) => {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right > window.innerWidth) return `off screen (${r.left}..${r.right})`;
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return hit === el || el.contains(hit) ? null : (hit?.outerHTML.slice(0, 100) ?? 'nothing');
  });
}

/** The admin: the most crowded header (Monitor link, admin badge). */
async function signedInAdmin(browser: Browser): Promise<Page> {
  const page = await (await browser.newContext({ baseURL: server.url, viewport: { width: 1440, height: 900 } })).newPage();
  await page.goto('/login');
  await page.getByLabel('Username').fill('admin');
  await page.getByLabel('Password', { exact: true }).fill('e2e-admin-password');
  await page.getByRole('button', { name: 'Sign in' }).first().click();
  await expect(page.getByTestId('signed-in-user')).toHaveText('admin');
  return page;
}

/** Opens a long-named workflow after a run of it. */
async function workflowAfterRun(page: Page, name: string): Promise<void> {
  const { id } = await trpcMutation<{ id: string }>(page.request, 'workflows.create', { name, graph: templateGraph(TXT2IMG_TEMPLATE) });
  await page.goto(`/w/${id}`);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveText('succeeded', { timeout: 60_000 });
  await expect(page.getByTestId('run-elapsed')).toBeVisible();
}

/** The acceptance line at both sizes, for Run and Run ×4. */
async function expectHeaderFits(page: Page, who: string): Promise<void> {
  for (const [count, label] of [[1, 'Run'], [4, 'Run ×4']] as const) {
    await page.getByLabel('Batch count').fill(String(count));
    await expect(page.getByRole('button', { name: label, exact: true })).toBeVisible();
    for (const size of [{ width: 1280, height: 800 }, { width: 1440, height: 900 }]) {
      await page.setViewportSize(size);
      const at = `${size.width}x${size.height}, ${label}, ${who}`;
      expect(await coverOf(page, 'Library'), `Library link covered at ${at}`).toBeNull();
      expect(await coverOf(page, 'Runs'), `Runs link covered at ${at}`).toBeNull();
      expect(await wrappedHeaderItems(page), `wrapped header items at ${at}`).toEqual([]);
      // The version-message box keeps room for a short message (it used to shrink to a few letters).
      const box = await page.getByLabel('Version message').boundingBox();
      expect(box!.width, `version message box at ${at}`).toBeGreaterThanOrEqual(120);
      // The header is one row: as tall as at its roomiest.
      expect((await page.locator('header.topnav').boundingBox())!.height, `header height at ${at}`).toBeLessThanOrEqual(48);
    }
  }
}

test('the editor header fits at 1280 and 1440 px with accounts on, after a run, with Run ×4', async ({ browser }) => {
  test.setTimeout(150_000);
  // A long name: the title is what used to push over the links.
  const name = 'Sprites with a rather long workflow name for the header';
  const admin = await signedInAdmin(browser);
  await workflowAfterRun(admin, name);
  await expectHeaderFits(admin, 'admin');
  await admin.context().close();

  const page = await signedUpPerson(browser, server.url, 'hana');
  await workflowAfterRun(page, name);
  await expectHeaderFits(page, 'hana');

  // The links work: Runs opens the run history.
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.locator('header.topnav nav').getByRole('link', { name: 'Runs', exact: true }).click();
  await expect(page).toHaveURL(/\/runs$/);
  await page.goBack();
  await expect(page.getByTestId('workflow-title')).toHaveText(name);

  // Secondary actions: the "⋯" menu opens, arrow keys move between its items, Escape closes it and returns focus.
  const more = page.getByRole('button', { name: 'More actions' });
  await more.click();
  const menu = page.getByRole('menu');
  await expect(menu).toBeVisible();
  const items = menu.getByRole('menuitem');
  await expect(items.first()).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(items.nth(1)).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await expect(items.first()).toBeFocused();
  await page.keyboard.press('ArrowUp'); // wraps to the last
  await expect(items.last()).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(menu).toHaveCount(0);
  await expect(more).toBeFocused();
  // And an item does its job: Export JSON downloads the canvas graph.
  await more.click();
  const download = page.waitForEvent('download');
  await page.getByRole('menuitem', { name: 'Export JSON' }).click();
  expect((await download).suggestedFilename()).toMatch(/\.json$/);
  await expect(menu).toHaveCount(0);

  await page.context().close();
});
