// New copies in the library get distinct names and can be renamed at once: "Use template" twice gives
// "Text to image" and "Text to image 2", a fork is "… (fork)", and the title is focused with its text selected.
// Template cards show a real preview image; New is a draft stored on its first save (leaving it stores nothing);
// the search box's placeholder fits. Fresh people on an AUTH=local server: their libraries start empty.
import { expect, test, type Page } from '@playwright/test';
import { trpcMutation, trpcQuery } from './api';
import { useLocalAuthServer } from './local-auth-server';
import { signedUpPerson } from './people';
import { TXT2IMG_TEMPLATE } from './scenario';

const server = useLocalAuthServer();

async function myNames(page: Page): Promise<string[]> {
  return (await trpcQuery<{ name: string }[]>(page.request, 'workflows.list', {})).map((w) => w.name).sort();
}

/** The title field right after a copy is made: focused, holding `name`, all of it selected (typing replaces it). */
async function expectRenameReady(page: Page, name: string): Promise<void> {
  const input = page.getByLabel('Workflow name');
  await expect(input).toBeFocused();
  await expect(input).toHaveValue(name);
  expect(await input.evaluate((el: HTMLInputElement) => [el.selectionStart, el.selectionEnd])).toEqual([0, name.length]);
}

async function useTemplate(page: Page): Promise<void> {
  await page.goto('/?tab=templates');
  await page.locator(`[data-testid="template-card"][data-template-file="${TXT2IMG_TEMPLATE}"]`).getByRole('button', { name: /Use template/ }).click();
  await expect(page).toHaveURL(/\/w\/[^/?]+$/);
}

test('Use template twice and fork give distinct names, each renamable at once', async ({ browser }) => {
  test.setTimeout(120_000);
  const carol = await signedUpPerson(browser, server.url, 'carol');

  await useTemplate(carol);
  await expectRenameReady(carol, 'Text to image');
  await carol.keyboard.press('Escape');
  await expect(carol.getByTestId('workflow-title')).toHaveText('Text to image');
  await useTemplate(carol);
  await expectRenameReady(carol, 'Text to image 2');
  await carol.keyboard.press('Escape');
  expect(await myNames(carol)).toEqual(['Text to image', 'Text to image 2']);
  await carol.goto('/?tab=mine');
  await expect(carol.getByTestId('workflow-card').locator('h3')).toHaveText(['Text to image 2', 'Text to image']);

  // Dave forks Carol's public "Text to image" from Explore's editor: "(fork)", and typing renames it at once.
  const first = (await trpcQuery<{ id: string; name: string }[]>(carol.request, 'workflows.list', {})).find((w) => w.name === 'Text to image')!;
  await trpcMutation(carol.request, 'workflows.setVisibility', { id: first.id, visibility: 'public' });
  const dave = await signedUpPerson(browser, server.url, 'dave');
  await dave.goto('/?tab=explore');
  await dave.locator(`[data-testid="workflow-card"][data-workflow-id="${first.id}"]`).getByRole('link', { name: 'Open', exact: true }).click();
  await dave.getByRole('button', { name: 'Fork to my library' }).click();
  await expect.poll(() => new URL(dave.url()).pathname).not.toBe(`/w/${first.id}`);
  await expect(dave).toHaveURL(/\/w\/[^/?]+$/);
  await expectRenameReady(dave, 'Text to image (fork)');
  await dave.keyboard.type('Dave sprites');
  await dave.keyboard.press('Enter');
  await expect(dave.getByTestId('workflow-title')).toHaveText('Dave sprites');
  await expect.poll(() => myNames(dave)).toEqual(['Dave sprites']);
  // The Fork button on a library card names its copy the same way.
  await dave.goto('/?tab=explore');
  await dave.locator(`[data-testid="workflow-card"][data-workflow-id="${first.id}"]`).getByRole('button', { name: 'Fork' }).click();
  await expectRenameReady(dave, 'Text to image (fork)');
  await dave.keyboard.press('Escape');
  expect(await myNames(dave)).toEqual(['Dave sprites', 'Text to image (fork)']);

  await carol.context().close();
  await dave.context().close();
});

test('template cards show a real preview; the search placeholder fits; New stores nothing until saved', async ({ browser }) => {
  const erin = await signedUpPerson(browser, server.url, 'erin');

  // The preview is an image of what the template makes: loaded, and not one flat colour.
  await erin.goto('/?tab=templates');
  const preview = erin.locator(`[data-testid="template-card"][data-template-file="${TXT2IMG_TEMPLATE}"]`).getByTestId('template-preview');
  await expect(preview).toBeVisible();
  await expect.poll(() => preview.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
  const colours = await preview.evaluate((img: HTMLImageElement) => {
    const c = document.createElement('canvas');
    [c.width, c.height] = [img.naturalWidth, img.naturalHeight];
    const g = c.getContext('2d')!;
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set<number>();
    for (let i = 0; i < d.length; i += 4) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    return seen.size;
  });
  expect(colours).toBeGreaterThan(1);

  // The placeholder's text is no wider than the box's text area.
  const search = erin.getByTestId('library-search');
  const fit = await search.evaluate((el: HTMLInputElement) => {
    const cs = getComputedStyle(el);
    const g = document.createElement('canvas').getContext('2d')!;
    g.font = `${cs.fontStyle} ${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
    const room = el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
    return { text: Math.ceil(g.measureText(el.placeholder).width), room };
  });
  expect(fit.text, JSON.stringify(fit)).toBeLessThanOrEqual(fit.room);

  // New, then back to the library without saving: no workflow was stored.
  await erin.goto('/?tab=mine');
  await erin.getByRole('button', { name: 'New', exact: true }).click();
  await expect(erin.getByTestId('palette-item-sampler')).toBeVisible();
  await expectRenameReady(erin, 'Untitled workflow');
  await erin.keyboard.press('Escape');
  await erin.locator('header.topnav nav').getByRole('link', { name: 'Library', exact: true }).click();
  await expect(erin.getByTestId('library-empty')).toBeVisible();
  expect(await myNames(erin)).toEqual([]);

  // New, named, then Save: now it is stored, under the name given, and the address is the workflow's.
  await erin.getByRole('button', { name: 'New', exact: true }).click();
  await expectRenameReady(erin, 'Untitled workflow');
  await erin.keyboard.type('Erin draft');
  await erin.keyboard.press('Enter');
  await erin.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(erin).toHaveURL(/\/w\/[^/?]+$/);
  expect(await myNames(erin)).toEqual(['Erin draft']);
  await erin.reload();
  await expect(erin.getByTestId('workflow-title')).toHaveText('Erin draft');

  await erin.context().close();
});
