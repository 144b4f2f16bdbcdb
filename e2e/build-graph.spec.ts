// Build txt2img by hand on an empty canvas: palette drags, all nine wires drawn with the mouse,
// refused connections with their reasons, a typed prompt, a run whose previews stream before the
// final image shows the prompted sprite, Save, reload -- and the graph comes back exactly as it was.
import { expect, test } from '@playwright/test';
import { freshSeed, trpcQuery, type GraphJson } from './api';
import { canvasPositions, connect, dragWire, dropFromPalette, edgeIds, graphNode, handle, loadedSize, snapshotCanvas } from './canvas';
import { twoColourStats } from './pixels';
import { expectLivePreviews, watchPreviews } from './previews';
import { HAND_PROMPT, PREVIEW_NODE_TYPE, PREVIEW_STEPS, WRONG_TYPE_CONNECTION } from './scenario';

interface WorkflowVersion {
  version: { number: number; graph: GraphJson & { meta?: unknown }; message: string | null };
}

const wireId = ([from, output, to, input]: readonly string[]) => `${from}:${output}->${to}:${input}`;

test('empty canvas -> txt2img wired by hand -> previews -> prompted sprite -> save -> reload identical', async ({ page, request }) => {
  await page.goto('/');
  // New is a draft: nothing is stored (and the address is /new) until the first save, which Run makes below.
  await page.getByRole('button', { name: 'New', exact: true }).click();
  await expect(page).toHaveURL(/\/new$/);
  await expect(page.getByTestId('palette-item-sampler')).toBeVisible();
  await expect(page.getByTestId('graph-node')).toHaveCount(0);

  // Three columns at zoom 1 (the canvas is about 960 x 850 px): every handle on screen, none covered.
  const ckpt = await dropFromPalette(page, 'checkpoint_loader', { x: 40, y: 40 });
  const positive = await dropFromPalette(page, 'text_encoder', { x: 320, y: 40 });
  const negative = await dropFromPalette(page, 'text_encoder', { x: 320, y: 260 });
  const latent = await dropFromPalette(page, 'empty_latent', { x: 320, y: 480 });
  const sampler = await dropFromPalette(page, 'sampler', { x: 620, y: 40 });
  const decode = await dropFromPalette(page, 'vae_decode', { x: 40, y: 440 });
  const save = await dropFromPalette(page, 'save_image', { x: 40, y: 600 });
  expect(new Set([ckpt, positive, negative, latent, sampler, decode, save]).size).toBe(7);

  // Unwired inputs are outlined with the engine's message before any run.
  await expect(graphNode(page, save).getByTestId('node-error')).toContainText('images');
  await expect(graphNode(page, save)).toHaveClass(/has-problems/);

  const wires = [
    [ckpt, 'model', sampler, 'model'],
    [ckpt, 'clip', positive, 'clip'],
    [ckpt, 'clip', negative, 'clip'],
    [positive, 'conditioning', sampler, 'positive'],
    [negative, 'conditioning', sampler, 'negative'],
    [latent, 'latent', sampler, 'latent'],
    [sampler, 'latent', decode, 'latent'],
    [ckpt, 'vae', decode, 'vae'],
  ] as const;
  for (const [from, output, to, input] of wires) await connect(page, [from, output], [to, input]);
  expect(await edgeIds(page)).toEqual(wires.map(wireId).sort());

  // Refused connections say why and draw nothing: a type mismatch, and a node feeding itself.
  const w = WRONG_TYPE_CONNECTION;
  const idOfType: Record<string, string> = { checkpoint_loader: ckpt, empty_latent: latent, sampler, vae_decode: decode, save_image: save };
  await dragWire(page, handle(page, idOfType[w.from], 'source', w.output), handle(page, idOfType[w.to], 'target', w.input));
  await expect(page.getByTestId('toast').filter({ hasText: w.reason })).toBeVisible();
  await dragWire(page, handle(page, sampler, 'source', 'latent'), handle(page, sampler, 'target', 'latent'));
  await expect(page.getByTestId('toast').filter({ hasText: 'cannot feed itself' })).toBeVisible();
  expect(await edgeIds(page)).toEqual(wires.map(wireId).sort());

  const last = [decode, 'image', save, 'images'] as const;
  await connect(page, [last[0], last[1]], [last[2], last[3]]);
  const allWires = [...wires, last];
  expect(await edgeIds(page)).toEqual(allWires.map(wireId).sort());
  await expect(page.getByTestId('node-error')).toHaveCount(0);

  await graphNode(page, positive).getByTestId('param-text').fill(HAND_PROMPT.text);
  // Any seed gives a green square; a fresh one keeps the worker's node cache (no sampling, no previews) out.
  const seed = freshSeed();
  await graphNode(page, sampler).getByTestId('param-seed').fill(String(seed));
  await graphNode(page, sampler).getByTestId('param-steps').fill(String(PREVIEW_STEPS));
  await expect(page.getByTestId('unsaved-dot')).toBeVisible();

  // Run; the sampler's previews must stream before the final image lands.
  const previews = await watchPreviews(page, PREVIEW_NODE_TYPE);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveText(/succeeded|failed|cancelled/, { timeout: 60_000 });
  const error = (await page.getByTestId('run-error').allTextContents()).join(' ');
  expect(await page.getByTestId('run-status').textContent(), `run error: ${error}`).toBe('succeeded');
  const out = graphNode(page, save).getByTestId('output-image');
  expect(await loadedSize(out)).toEqual({ width: 256, height: 256 });
  // The run's save stored the draft: the address is now the workflow's, on the same page.
  await expect(page).toHaveURL(/\/w\/[^/?]+$/);
  const workflowId = new URL(page.url()).pathname.split('/').pop()!;
  expectLivePreviews(await previews.read());

  // The downloaded file is the prompted sprite: a filled, centred green square on navy, nothing else.
  const stats = await twoColourStats(page, (await out.getAttribute('src'))!, HAND_PROMPT.shape, HAND_PROMPT.background);
  expect(stats.otherPixels, JSON.stringify(stats)).toBe(0);
  expect(stats.centre).toEqual([...HAND_PROMPT.shape]);
  for (const corner of stats.corners) expect(corner).toEqual([...HAND_PROMPT.background]);
  const box = stats.shapeBox!;
  const [bw, bh] = [box.x1 - box.x0 + 1, box.y1 - box.y0 + 1];
  expect(bw).toBe(bh);
  expect(stats.shapePixels).toBe(bw * bh);
  expect(box.x0 + box.x1).toBe(stats.width - 1);
  expect(box.y0 + box.y1).toBe(stats.height - 1);
  expect(bw).toBeGreaterThanOrEqual(64);
  expect(bw).toBeLessThan(stats.width);

  // A new sampler randomizes its seed after each run: the widget now holds the next run's seed, which Save keeps.
  const seedField = graphNode(page, sampler).getByTestId('param-seed');
  await expect(seedField).not.toHaveValue(String(seed));
  const nextSeed = Number(await seedField.inputValue());

  // Move a node, then Save explicitly with a message.
  const header = (await graphNode(page, decode).locator('.graph-node-header').boundingBox())!;
  await page.mouse.move(header.x + 20, header.y + header.height / 2);
  await page.mouse.down();
  await page.mouse.move(header.x + 60, header.y + 50, { steps: 6 });
  await page.mouse.up();
  await expect(page.getByTestId('unsaved-dot')).toBeVisible();
  await page.getByPlaceholder('version message (optional)').fill('txt2img by hand');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByTestId('unsaved-dot')).toHaveCount(0);

  // The saved graph is the one on the canvas: types, the prompt, the nine edges, every position.
  const saved = await trpcQuery<WorkflowVersion>(request, 'workflows.get', { id: workflowId });
  expect(saved.version.message).toBe('txt2img by hand');
  const graph = saved.version.graph;
  const typeOf = Object.fromEntries(graph.nodes.map((n) => [n.id, n.type]));
  expect(typeOf).toEqual({
    [ckpt]: 'checkpoint_loader', [positive]: 'text_encoder', [negative]: 'text_encoder', [latent]: 'empty_latent',
    [sampler]: 'sampler', [decode]: 'vae_decode', [save]: 'save_image',
  });
  expect(graph.nodes.find((n) => n.id === positive)!.params.text).toBe(HAND_PROMPT.text);
  expect(graph.nodes.find((n) => n.id === sampler)!.params).toMatchObject({ seed: nextSeed, steps: PREVIEW_STEPS });
  expect(graph.edges.map((e) => wireId([e.from.node, e.from.output, e.to.node, e.to.input])).sort()).toEqual(allWires.map(wireId).sort());
  const positions = await canvasPositions(page);
  expect(Object.fromEntries(graph.nodes.map((n) => [n.id, n.position]))).toEqual(positions);
  expect(positions[decode]).not.toEqual({ x: 40, y: 440 });

  const canvasBefore = await snapshotCanvas(page);
  const edgesBefore = await edgeIds(page);
  await page.reload();
  await expect(page.getByTestId('graph-node')).toHaveCount(7);
  expect(await snapshotCanvas(page)).toEqual(canvasBefore);
  expect(await edgeIds(page)).toEqual(edgesBefore);
  expect(await canvasPositions(page)).toEqual(positions);
  await expect(page.getByTestId('unsaved-dot')).toHaveCount(0);
  // Opening the editor did not write a new version or touch the stored graph.
  expect(await trpcQuery<WorkflowVersion>(request, 'workflows.get', { id: workflowId })).toEqual(saved);

  await page.getByRole('tab', { name: 'Versions' }).click();
  await expect(page.getByTestId('versions')).toContainText('txt2img by hand');
});
