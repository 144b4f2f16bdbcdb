// The outputs gallery as a person uses it after a few runs: large cards whose seed and prompt show on hover, a viewer
// that steps through with ←/→, two images compared side by side with their differences marked, and "Use these
// parameters" opening the run's exact graph in the editor.
import { expect, test } from '@playwright/test';
import { createWorkflow, freshSeed, templateGraph, trpcMutation, trpcQuery } from './api';
import { graphNode } from './canvas';
import { TXT2IMG_TEMPLATE } from './scenario';

const PROMPTS = ['red circle on blue background', 'green square on white background', 'yellow triangle on black background'];

test('gallery: hover facts, viewer with arrow keys, compare two, use their parameters', async ({ page }) => {
  const base = freshSeed();
  const graph = (i: number) => templateGraph(TXT2IMG_TEMPLATE, { sampler: { seed: base + i, steps: 6 }, positive: { text: PROMPTS[i] } });
  const id = await createWorkflow(page.request, 'Gallery spec', graph(0));
  // One after another, so the newest-first order is known: run 2, 1, 0.
  const runIds: string[] = [];
  for (let i = 0; i < PROMPTS.length; i++) {
    const { runId } = await trpcMutation<{ runId: string }>(page.request, 'runs.enqueue', { workflowId: id, graph: graph(i) });
    await expect.poll(async () => (await trpcQuery<{ status: string }>(page.request, 'runs.get', { runId })).status, { timeout: 60_000 }).toBe('succeeded');
    runIds.push(runId);
  }

  await page.goto('/');
  await page.getByRole('link', { name: 'Gallery', exact: true }).click();
  await expect(page).toHaveURL(/\/gallery$/);
  await page.getByLabel('Filter by workflow').selectOption(id);
  await expect(page).toHaveURL(new RegExp(`/gallery\\?workflow=${id}$`));
  const cards = page.getByTestId('gallery-card');
  await expect(cards).toHaveCount(3);
  expect(await cards.evaluateAll((els) => els.map((e) => e.getAttribute('data-run-id')))).toEqual([...runIds].reverse());

  // Facts appear on hover only: the newest card says its seed and prompt.
  const facts = cards.first().getByTestId('card-facts');
  await expect(facts).toHaveCSS('opacity', '0');
  await cards.first().hover();
  await expect(facts).toHaveCSS('opacity', '1');
  await expect(facts).toContainText(`seed${base + 2}`);
  await expect(facts).toContainText(`prompt${PROMPTS[2]}`);

  // The viewer: → and ← step through the list; Esc closes.
  const artifactIds = await cards.evaluateAll((els) => els.map((e) => e.getAttribute('data-artifact-id')));
  await cards.nth(0).getByRole('button', { name: /Open image 1/ }).click();
  const viewer = page.getByRole('dialog', { name: 'Image viewer' });
  await expect(viewer.getByTestId('viewer-image')).toHaveAttribute('data-artifact-id', artifactIds[0]!);
  await expect(viewer.getByTestId('viewer-position')).toHaveText('1 of 3');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(viewer.getByTestId('viewer-image')).toHaveAttribute('data-artifact-id', artifactIds[2]!);
  await expect(viewer.getByTestId('viewer-position')).toHaveText('3 of 3');
  await expect(viewer).toContainText(PROMPTS[0]);
  await expect(viewer.getByRole('button', { name: 'Next image' })).toBeDisabled();
  await page.keyboard.press('ArrowLeft');
  await expect(viewer.getByTestId('viewer-position')).toHaveText('2 of 3');
  // Rating here is stored for that image; arrows on the focused stars move the rating, not the image.
  const stars = viewer.getByRole('radiogroup', { name: 'Rate this image' });
  await stars.getByRole('radio', { name: '3 of 5' }).click();
  await page.keyboard.press('ArrowRight');
  await expect(stars).toHaveAttribute('data-value', '4');
  await expect(viewer.getByTestId('viewer-position')).toHaveText('2 of 3');
  await expect.poll(async () => (await trpcQuery<{ items: { artifactId: string; myRating: number | null }[] }>(page.request, 'gallery.list', { workflowId: id }))
    .items.find((i) => i.artifactId === artifactIds[1])?.myRating).toBe(4);
  await page.keyboard.press('Escape');
  await expect(viewer).toHaveCount(0);

  // Compare the oldest and the newest: the images side by side, seed and prompt marked as different, steps not.
  await cards.nth(0).getByLabel('compare').check();
  await cards.nth(2).getByLabel('compare').check();
  await page.getByRole('button', { name: 'Compare', exact: true }).click();
  const compare = page.getByRole('dialog', { name: 'Compare images' });
  await expect(compare.getByTestId('compare-image')).toHaveCount(2);
  const row = (label: string) => compare.getByTestId('compare-facts').locator('tr', { has: page.locator('th', { hasText: new RegExp(`^${label}$`) }) });
  await expect(row('seed')).toHaveClass(/differs/);
  await expect(row('prompt')).toHaveClass(/differs/);
  await expect(row('steps')).not.toHaveClass(/differs/);
  await expect(row('seed').locator('td')).toHaveText([String(base + 2), String(base)]);
  await page.keyboard.press('Escape');
  await expect(compare).toHaveCount(0);

  // "Use these parameters" on the middle image: the editor opens with that run's graph (its seed and prompt).
  await cards.nth(1).getByRole('button', { name: /Open image 2/ }).click();
  await page.getByRole('button', { name: 'Use these parameters' }).click();
  await expect(page).toHaveURL(new RegExp(`/w/${id}\\?run=${runIds[1]}$`));
  await expect(graphNode(page, 'sampler').getByTestId('param-seed')).toHaveValue(String(base + 1));
  await expect(graphNode(page, 'positive').getByTestId('param-text')).toHaveValue(PROMPTS[1]);
});

test('a Run ×3 shows all three images in the results panel, in queue order, and opens them in the gallery', async ({ page }) => {
  const id = await createWorkflow(page.request, 'Batch strip spec', templateGraph(TXT2IMG_TEMPLATE, { sampler: { seed: freshSeed(), steps: 6 } }));
  await page.goto(`/w/${id}`);
  await page.getByLabel('Batch count').fill('3');
  await page.getByRole('button', { name: 'Run ×3', exact: true }).click();
  const strip = page.getByTestId('batch-strip');
  await expect(strip.getByTestId('batch-image')).toHaveCount(3, { timeout: 90_000 });
  const runs = (await trpcQuery<{ items: { id: string }[] }>(page.request, 'runs.list', { workflowId: id })).items.map((r) => r.id).reverse();
  expect(await strip.getByTestId('batch-image').evaluateAll((els) => els.map((e) => e.getAttribute('data-run-id')))).toEqual(runs);
  await strip.getByRole('link', { name: 'Open in gallery' }).click();
  await expect(page).toHaveURL(new RegExp(`/gallery\\?workflow=${id}$`));
  await expect(page.getByTestId('gallery-card')).toHaveCount(3);
});
