// The step debugger in the editor: breakpoints from the node menu, Step/Resume while paused with the
// sampler's preview moving, the timeline of stored steps afterwards, and "Run to here" with the inspector.
import { expect, test, type Page } from '@playwright/test';
import { createWorkflow, freshSeed, templateGraph, trpcQuery } from './api';
import { graphNode, loadedSize } from './canvas';
import { cancelShownRunAfterEach, nodeMenu } from './debugging';
import { TXT2IMG_TEMPLATE } from './scenario';

interface StoredStep { step: number; total: number; image: { id: string; url: string } | null; latent: { id: string; url: string } | null }

cancelShownRunAfterEach();

/** RGBA pixels of an <img> as shown, and of a URL decoded on its own: equal when the img shows that file. */
async function samePixels(page: Page, imgTestId: string, url: string): Promise<{ equal: boolean; size: number }> {
  return page.evaluate(async ({ imgTestId, url }) => {
    const pixels = async (src: ImageBitmapSource) => {
      const bmp = await createImageBitmap(src, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
      const c = new OffscreenCanvas(bmp.width, bmp.height);
      const g = c.getContext('2d')!;
      g.drawImage(bmp, 0, 0);
      return g.getImageData(0, 0, bmp.width, bmp.height).data;
    };
    const img = document.querySelector<HTMLImageElement>(`[data-testid="${imgTestId}"]`)!;
    const shown = await pixels(await (await fetch(img.src)).blob());
    const stored = await pixels(await (await fetch(url)).blob());
    return { equal: shown.length === stored.length && shown.every((v, i) => v === stored[i]), size: stored.length };
  }, { imgTestId, url });
}

test('break every step, Step three times, Resume to the image, then scrub the timeline back to step 2', async ({ page, request }) => {
  const graph = templateGraph(TXT2IMG_TEMPLATE, { sampler: { seed: freshSeed(), steps: 20 } });
  const id = await createWorkflow(request, 'debug me', graph);
  await page.goto(`/w/${id}`);
  await expect(graphNode(page, 'save')).toBeVisible();

  await nodeMenu(page, 'sampler', 'Break every step');
  await nodeMenu(page, 'sampler', 'Break at step…');
  const ask = page.getByRole('dialog', { name: 'Break at step' });
  await ask.getByRole('spinbutton').fill('5');
  await ask.getByRole('button', { name: 'Set breakpoint' }).click();
  await expect(ask).toHaveCount(0);
  await expect(graphNode(page, 'sampler').getByTestId('breakpoint-badge')).toHaveText('● every step, step 5');

  // Debug runs with the debugger (Run goes past breakpoints).
  await page.getByRole('button', { name: 'Debug', exact: true }).click();
  const banner = page.getByTestId('debug-banner');
  await expect(banner).toBeVisible({ timeout: 30_000 });
  await expect(banner.getByTestId('debug-where')).toHaveText('paused at step 0 / 20');
  await expect(page.getByTestId('run-status')).toHaveText('paused');
  for (const name of ['Step', 'Resume', 'Cancel']) await expect(banner.getByRole('button', { name, exact: true })).toBeVisible();

  const preview = graphNode(page, 'sampler').getByTestId('node-preview');
  let lastSrc = '';
  for (let k = 1; k <= 3; k++) {
    // The button twice, the F10 shortcut once.
    if (k === 2) await page.keyboard.press('F10');
    else await banner.getByRole('button', { name: 'Step', exact: true }).click();
    await expect(banner.getByTestId('debug-where')).toHaveText(`paused at step ${k} / 20`);
    await expect(preview).toHaveAttribute('alt', `preview step ${k - 1}`);
    const src = await preview.getAttribute('src');
    expect(src).not.toBe(lastSrc);
    lastSrc = src!;
  }
  // The live panel: sigma, four latent channels charted over the steps so far, x0 beside the latent.
  const stats = page.getByTestId('latent-stats');
  await expect(stats.getByTestId('latent-noise')).toContainText('sigma');
  await expect(stats.getByTestId('stats-chart')).toHaveCount(4);
  await expect(stats.getByTestId('debug-x0')).toBeVisible();
  await expect(stats.getByTestId('debug-latent')).toBeVisible();

  // Stop breaking on every step (sent to the running run), Resume: the next stop is the step-5 breakpoint.
  await nodeMenu(page, 'sampler', 'Stop breaking every step');
  await page.keyboard.press('F8');
  await expect(banner.getByTestId('debug-where')).toHaveText('paused at step 5 / 20');
  await banner.getByRole('button', { name: 'Resume', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveText('succeeded', { timeout: 60_000 });
  await expect(banner).toHaveCount(0);
  expect(await loadedSize(graphNode(page, 'save').getByTestId('output-image'))).toEqual({ width: 256, height: 256 });

  // The timeline of the finished run's sampler: every step stored; scrub back to step 2.
  const runId = (await page.getByTestId('run-status').getAttribute('data-run-id'))!;
  const steps = await trpcQuery<StoredStep[]>(request, 'runs.steps', { runId, nodeId: 'sampler' });
  expect(steps.map((s) => s.step)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  await graphNode(page, 'sampler').locator('.graph-node-header').click();
  await page.getByRole('tab', { name: 'Debug' }).click();
  const slider = page.getByTestId('timeline-slider');
  await expect(slider).toHaveAttribute('max', '19');
  await expect(page.getByTestId('timeline-step')).toHaveText('step 19 / 20');
  await slider.fill('2');
  await expect(page.getByTestId('timeline-step')).toHaveText('step 2 / 20');
  const shown = page.getByTestId('timeline-image');
  await expect(shown).toHaveAttribute('src', steps[2].image!.url);
  await expect(page.getByTestId('timeline-latent')).toHaveAttribute('src', steps[2].latent!.url);
  expect(await samePixels(page, 'timeline-image', steps[2].image!.url)).toMatchObject({ equal: true });
  // ...and not the final step's picture (the comparison can fail).
  expect(await samePixels(page, 'timeline-image', steps[19].image!.url)).toMatchObject({ equal: false });
  // Keyboard: → then ← lands on step 2 again.
  await slider.focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('timeline-step')).toHaveText('step 3 / 20');
  await expect(shown).toHaveAttribute('src', steps[3].image!.url);
  // Pin step 3, scrub to 2: both side by side.
  await page.getByRole('button', { name: 'Pin step 3' }).click();
  await slider.focus();
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByTestId('timeline-step')).toHaveText('step 2 / 20');
  await expect(shown).toHaveAttribute('src', steps[2].image!.url);
  await expect(page.getByTestId('timeline-pinned-image')).toHaveAttribute('src', steps[3].image!.url);
});

test('"Run to here" on VAE Decode runs only its ancestors and shows the image in the inspector', async ({ page, request }) => {
  const graph = templateGraph(TXT2IMG_TEMPLATE, { sampler: { seed: freshSeed(), steps: 4 } });
  const id = await createWorkflow(request, 'run to decode', graph);
  await page.goto(`/w/${id}`);
  await expect(graphNode(page, 'decode')).toBeVisible();

  await nodeMenu(page, 'decode', 'Run to here');
  await expect(page.getByTestId('run-status')).toHaveText('succeeded', { timeout: 60_000 });
  await expect(graphNode(page, 'decode')).toHaveAttribute('data-run-status', 'done');
  await expect(graphNode(page, 'sampler')).toHaveAttribute('data-run-status', 'done');
  await expect(graphNode(page, 'save')).not.toHaveAttribute('data-run-status', /done|cached|running/);
  await expect(page.getByTestId('output-image')).toHaveCount(0);
  const runId = (await page.getByTestId('run-status').getAttribute('data-run-id'))!;
  const run = await trpcQuery<{ nodes: { id: string; status: string }[]; artifacts: { kind: string }[] }>(request, 'runs.get', { runId });
  expect(run.nodes.find((n) => n.id === 'save')?.status ?? 'not run').not.toBe('succeeded');
  expect(run.artifacts.filter((a) => a.kind === 'image' || a.kind === 'inspect').map((a) => a.kind)).toEqual(['inspect']);

  const inspector = page.getByTestId('inspector');
  await expect(inspector).toHaveAttribute('data-node-id', 'decode');
  expect(await loadedSize(inspector.getByTestId('inspector-image'))).toEqual({ width: 256, height: 256 });
  await expect(inspector.getByTestId('inspector-size')).toHaveText('256×256');
});

test('"Run to here" on the sampler shows its latent in the inspector, drawn with the model\'s colours', async ({ page, request }) => {
  const graph = templateGraph(TXT2IMG_TEMPLATE, { sampler: { seed: freshSeed(), steps: 8 } });
  const id = await createWorkflow(request, 'run to sampler', graph);
  await page.goto(`/w/${id}`);
  await nodeMenu(page, 'sampler', 'Run to here');
  await expect(page.getByTestId('run-status')).toHaveText('succeeded', { timeout: 60_000 });
  await expect(graphNode(page, 'decode')).not.toHaveAttribute('data-run-status', /done|cached|running/);
  const inspector = page.getByTestId('inspector');
  await expect(inspector).toHaveAttribute('data-node-id', 'sampler');
  const latent = inspector.getByTestId('inspector-latent');
  // 32x32 latent cells at 8 px each: the size the decoder would give.
  expect(await loadedSize(latent)).toEqual({ width: 256, height: 256 });
  // The template prompts a red circle on blue: the centre of the projected latent is red, a corner blue.
  const [centre, corner] = await latent.evaluate(async (img: HTMLImageElement) => {
    const bmp = await createImageBitmap(img);
    const c = new OffscreenCanvas(bmp.width, bmp.height);
    const g = c.getContext('2d')!;
    g.drawImage(bmp, 0, 0);
    const at = (x: number, y: number) => [...g.getImageData(x, y, 1, 1).data.slice(0, 3)];
    return [at(128, 128), at(4, 4)];
  });
  expect(centre[0]).toBeGreaterThan(150);
  expect(centre[2]).toBeLessThan(100);
  expect(corner[2]).toBeGreaterThan(150);
  expect(corner[0]).toBeLessThan(100);
});
