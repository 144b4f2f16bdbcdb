// Readable at any zoom: a template opens at a zoom where node text is legible (its start in view), and zoomed out,
// nodes draw a simplified view (large title, socket dots, preview) whose wires stay on their sockets.
import { expect, test, type Page } from '@playwright/test';
import { createWorkflow, freshSeed, templateGraph } from './api';
import { graphNode } from './canvas';

/** React Flow's viewport transform: translate(x px, y px) scale(zoom). */
async function viewport(page: Page): Promise<{ x: number; y: number; zoom: number }> {
  const t = await page.locator('.react-flow__viewport').evaluate((el) => (el as HTMLElement).style.transform);
  const m = /translate\((-?[\d.]+)px,\s*(-?[\d.]+)px\)\s*scale\(([\d.]+)\)/.exec(t);
  if (!m) throw new Error(`unexpected viewport transform "${t}"`);
  return { x: Number(m[1]), y: Number(m[2]), zoom: Number(m[3]) };
}

/** Height on screen of a node text's font (CSS font-size times the zoom), px; `pseudo` reads e.g. its ::after. */
async function screenFontPx(page: Page, selector: string, pseudo?: string): Promise<number> {
  const css = await page.locator(selector).first().evaluate((el, p) => parseFloat(getComputedStyle(el, p).fontSize), pseudo ?? null);
  return css * (await viewport(page)).zoom;
}

/** Smallest text the editor draws at 1× (socket-type labels): node text must not open smaller than this. */
const LEGIBLE_PX = 9;

for (const [file, nodes] of [['txt2img.json', 7], ['txt2img-refine-upscale.json', 11]] as const) {
  test(`${file} opens with legible text, its first node in view`, async ({ page, request }) => {
    const id = await createWorkflow(request, `zoom ${file}`, templateGraph(file));
    await page.goto(`/w/${id}`);
    await expect(page.getByTestId('graph-node')).toHaveCount(nodes);
    // The opening view is set once the nodes are measured: wait until the viewport left React Flow's default.
    await expect.poll(async () => (await viewport(page)).zoom).not.toBe(1);
    const v = await viewport(page);
    // Fit to the window drew these at 0.51× and 0.35× (6 and 4 px text).
    expect(await screenFontPx(page, '[data-testid="graph-node"] .graph-node-params'), JSON.stringify(v)).toBeGreaterThanOrEqual(LEGIBLE_PX);
    expect(v.zoom).toBeLessThanOrEqual(1);
    const canvas = (await page.getByTestId('canvas').boundingBox())!;
    const first = (await graphNode(page, 'checkpoint').boundingBox())!;
    expect(first.x).toBeGreaterThanOrEqual(canvas.x);
    expect(first.y).toBeGreaterThanOrEqual(canvas.y);
    expect(first.x + first.width).toBeLessThanOrEqual(canvas.x + canvas.width);
    expect(first.y + first.height).toBeLessThanOrEqual(canvas.y + canvas.height);
    // Full nodes: widgets, not the simplified view.
    await expect(graphNode(page, 'checkpoint').getByTestId('param-ckpt_name')).toBeVisible();
    await expect(page.getByTestId('canvas')).toHaveAttribute('data-node-view', 'full');
  });
}

test('zoomed out, nodes draw a large title, sockets, wires and images, and widgets come back zoomed in', async ({ page, request }) => {
  const graph = templateGraph('txt2img.json', { sampler: { seed: freshSeed() } });
  const id = await createWorkflow(request, 'zoom out', graph);
  await page.goto(`/w/${id}`);
  await expect(page.getByTestId('graph-node')).toHaveCount(graph.nodes.length);
  await expect.poll(async () => (await viewport(page)).zoom).not.toBe(1);
  const handles = await page.locator('.react-flow__handle').count();
  const widgetBlocks = await page.locator('.graph-node-params').count();
  expect(widgetBlocks).toBeGreaterThan(5);

  // Zoomed out past the threshold with the canvas's own buttons.
  const zoomOut = page.getByRole('button', { name: 'Zoom Out' });
  for (let i = 0; i < 6 && (await viewport(page)).zoom >= 0.5; i++) {
    const before = (await viewport(page)).zoom;
    await zoomOut.click();
    await expect.poll(async () => (await viewport(page)).zoom).toBeLessThan(before);
  }
  expect((await viewport(page)).zoom).toBeLessThan(0.5);
  await expect(page.getByTestId('canvas')).toHaveAttribute('data-node-view', 'simple');
  // No widget and no socket label is drawn; titles are, large enough to read.
  await expect(page.locator('.graph-node-params:visible')).toHaveCount(0);
  await expect(page.locator('.socket > span:visible')).toHaveCount(0);
  const title = graphNode(page, 'checkpoint').getByTestId('node-title');
  expect(await title.evaluate((el) => getComputedStyle(el, '::after').content)).toBe('"Checkpoint Loader"');
  expect(await screenFontPx(page, '[data-node-id="checkpoint"] [data-testid="node-title"]', '::after')).toBeGreaterThanOrEqual(LEGIBLE_PX);
  // A run shows its status and its image on the simplified nodes.
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveText('succeeded', { timeout: 60_000 });
  await expect(graphNode(page, 'save').getByTestId('output-image')).toBeVisible();
  await expect(graphNode(page, 'sampler').getByTestId('node-status')).toHaveText(/^done /);
  // The status badge is scaled up: its box on screen is as tall as legible text.
  expect((await graphNode(page, 'sampler').getByTestId('node-status').boundingBox())!.height).toBeGreaterThanOrEqual(LEGIBLE_PX);
  // Every socket keeps its handle, and every wire is drawn.
  expect(await page.locator('.react-flow__handle').count()).toBe(handles);
  await expect(page.locator('.react-flow__edge')).toHaveCount(graph.edges.length);

  // A wire ends on its socket's dot as the simplified node draws it, also after the run resized the Save node there.
  const v = await viewport(page);
  const dot = (await page.locator('.react-flow__handle.target[data-nodeid="save"][data-handleid="images"]').boundingBox())!;
  const path = await page.locator('.react-flow__edge').filter({ has: page.locator('path') }).evaluateAll((els) =>
    els.map((e) => e.querySelector('path.react-flow__edge-path')?.getAttribute('d') ?? ''));
  const ends = path.map((d) => d.match(/-?[\d.]+/g)!.slice(-2).map(Number));
  // The viewport's translation counts from the React Flow pane's corner, not the page's.
  const pane = (await page.locator('.react-flow').boundingBox())!;
  const flowX = (sx: number) => (sx - pane.x - v.x) / v.zoom;
  const dotFlow = { left: flowX(dot.x), right: flowX(dot.x + dot.width), y: (dot.y + dot.height / 2 - pane.y - v.y) / v.zoom };
  const onDot = ends.filter(([x, y]) => x >= dotFlow.left - 1 && x <= dotFlow.right + 1 && Math.abs(y - dotFlow.y) <= 2);
  expect(onDot, JSON.stringify({ ends, dotFlow })).toHaveLength(1);

  // Zoomed in again, the full nodes are back.
  const zoomIn = page.getByRole('button', { name: 'Zoom In' });
  for (let i = 0; i < 6 && (await viewport(page)).zoom < 0.5; i++) {
    const before = (await viewport(page)).zoom;
    await zoomIn.click();
    await expect.poll(async () => (await viewport(page)).zoom).toBeGreaterThan(before);
  }
  await expect(page.getByTestId('canvas')).toHaveAttribute('data-node-view', 'full');
  await expect(page.locator('.graph-node-params:visible')).toHaveCount(widgetBlocks);
});
