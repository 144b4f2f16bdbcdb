// A preview re-renders only its node: on a 100-node canvas, a run of the template part streams previews into the
// sampler while the 93 nodes that do not run stay as they are (renders counted by app/editor/nodes/render-count.ts).
import { expect, test } from '@playwright/test';
import { createWorkflow, freshSeed } from './api';
import { bigGraph } from './big-graph';
import { graphNode } from './canvas';
import { watchPreviews } from './previews';
import { PREVIEW_NODE_TYPE } from './scenario';

const NODES = 100;
/** A longer run than the preview specs': more frames for a busy machine to show (about 1.5 s of sampling). */
const STEPS = 600;
/** Renders an idle node may take during a whole run: the run's start and end may touch every node once or twice. */
const IDLE_RENDERS_PER_RUN = 3;

type Counts = Record<string, number>;

test('a preview frame re-renders its node, not the other 99', async ({ page, request }) => {
  const id = await createWorkflow(request, 'hundred nodes', bigGraph(NODES, { seed: freshSeed(), steps: STEPS }));
  await page.addInitScript(() => { (window as unknown as { __stepflowRenders: Counts }).__stepflowRenders = {}; });
  await page.goto(`/w/${id}`);
  await expect(page.getByTestId('graph-node')).toHaveCount(NODES);
  await expect(page.getByTestId('run-status')).toHaveText('idle');
  const opened = await page.evaluate(() => ({ ...(window as unknown as { __stepflowRenders: Counts }).__stepflowRenders }));
  // The counter works: every node rendered when the canvas opened.
  expect(Object.keys(opened)).toHaveLength(NODES);

  const previews = await watchPreviews(page, PREVIEW_NODE_TYPE);
  await page.evaluate(() => { (window as unknown as { __stepflowRenders: Counts }).__stepflowRenders = {}; });
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveText('succeeded', { timeout: 60_000 });
  await expect(graphNode(page, 'save').getByTestId('output-image')).toBeVisible();
  const log = await previews.read();
  // More frames than an idle node may render: the old context, which re-rendered every node per frame, cannot pass.
  expect(log.frames.length, JSON.stringify(log.frames)).toBeGreaterThan(IDLE_RENDERS_PER_RUN);
  const counts = await page.evaluate(() => ({ ...(window as unknown as { __stepflowRenders: Counts }).__stepflowRenders }));

  const idle = Object.keys(opened).filter((n) => /^c\d+_/.test(n));
  expect(idle).toHaveLength(NODES - 7);
  const idleRenders = idle.reduce((sum, n) => sum + (counts[n] ?? 0), 0);
  const allRenders = Object.values(counts).reduce((a, b) => a + b, 0);
  const figures = `${log.frames.length} preview frames; renders during the run: ${allRenders} in all, ${idleRenders} of the ${idle.length} idle nodes, ` +
    `sampler ${counts.sampler ?? 0}; ${(allRenders / log.frames.length).toFixed(1)} node renders per preview frame`;
  console.log(figures);
  test.info().annotations.push({ type: 'renders', description: figures });
  // Each frame the sampler showed was one render of the sampler...
  expect(counts.sampler ?? 0, figures).toBeGreaterThanOrEqual(log.frames.length);
  // ...and of no idle node.
  const busiest = idle.reduce((a, b) => ((counts[a] ?? 0) >= (counts[b] ?? 0) ? a : b));
  expect(counts[busiest] ?? 0, `${busiest}: ${figures}`).toBeLessThanOrEqual(IDLE_RENDERS_PER_RUN);
});
