// Live mode as a person uses it: switched on, the graph runs; typing a prompt runs it again without pressing Run (a
// burst of keystrokes makes a few runs, not one per key), the picture follows the prompt, a CFG change re-runs only
// the sampler and what it feeds, seeds stay as shown; switched off, edits run nothing until Run.
import { expect, test, type Page } from '@playwright/test';
import { createWorkflow, freshSeed, templateGraph, trpcQuery } from './api';
import { graphNode } from './canvas';
import { twoColourStats } from './pixels';
import { HAND_PROMPT, TXT2IMG_TEMPLATE } from './scenario';

interface RunRow { id: string; status: string }
interface RunDetail {
  status: string;
  graph: { nodes: { id: string; params: Record<string, unknown> }[] };
  nodes: { id: string; cached: boolean }[];
  artifacts: { kind: string; url: string }[];
}

const runsOf = async (page: Page, workflowId: string) =>
  (await trpcQuery<{ items: RunRow[] }>(page.request, 'runs.list', { workflowId, limit: 100 })).items;
const runOf = (page: Page, runId: string) => trpcQuery<RunDetail>(page.request, 'runs.get', { runId });
const param = (r: RunDetail, node: string, name: string) => r.graph.nodes.find((n) => n.id === node)!.params[name];

/** The newest run once every run has ended (live mode lets the last edit's run finish). */
async function settled(page: Page, workflowId: string): Promise<{ runs: RunRow[]; last: RunDetail }> {
  let runs: RunRow[] = [];
  await expect.poll(async () => {
    runs = await runsOf(page, workflowId);
    return runs.length > 0 && runs.every((r) => ['succeeded', 'failed', 'cancelled'].includes(r.status));
  }, { timeout: 60_000 }).toBe(true);
  return { runs, last: await runOf(page, runs[0].id) };
}

test('live mode: edits run the graph, debounced, with the seed as shown; off, they wait for Run', async ({ page }) => {
  const seed = freshSeed();
  const id = await createWorkflow(page.request, 'Live spec', templateGraph(TXT2IMG_TEMPLATE, { sampler: { seed } }));
  await page.goto(`/w/${id}`);
  await expect(graphNode(page, 'sampler')).toBeVisible();
  expect(await runsOf(page, id)).toHaveLength(0);

  // On: the graph runs as it is, without Run.
  await page.getByTestId('live-toggle').click();
  await expect(page.getByTestId('live-toggle')).toHaveAttribute('aria-pressed', 'true');
  let { runs, last } = await settled(page, id);
  expect(runs).toHaveLength(1);
  expect(last.status).toBe('succeeded');

  // A typed prompt: far fewer runs than keystrokes, and the last one ran the whole new text and drew it (the
  // template's 20 steps: at 8, some seeds leave the navy background short of its colour).
  const prompt = graphNode(page, 'positive').getByTestId('param-text');
  const text = HAND_PROMPT.text;
  await prompt.fill('');
  await prompt.pressSequentially(text);
  await expect.poll(async () => {
    const s = await settled(page, id);
    return param(s.last, 'positive', 'text');
  }, { timeout: 60_000 }).toBe(text);
  ({ runs, last } = await settled(page, id));
  expect(runs.length).toBeGreaterThan(1);
  expect(runs.length).toBeLessThan(1 + text.length / 2);
  expect(last.status).toBe('succeeded');
  const image = last.artifacts.find((a) => a.kind === 'image')!;
  const stats = await twoColourStats(page, image.url, HAND_PROMPT.shape, HAND_PROMPT.background);
  expect(stats.shapePixels).toBeGreaterThan(1000);
  expect(stats.backgroundPixels).toBeGreaterThan(stats.shapePixels);
  // The panel shows the newest run's picture. Live mode may queue one more run of the same text after the snapshot
  // above (an edit that arrived while the last run ran), so the newest run is read again until the two agree.
  await expect(async () => {
    const newest = (await settled(page, id)).last.artifacts.find((a) => a.kind === 'image')!;
    await expect(page.getByTestId('result-image').first()).toHaveAttribute('src', newest.url, { timeout: 1000 });
  }).toPass({ timeout: 20_000 });

  // CFG: the prompts come from the node cache; the seed never moved (templates randomize only after a real Run).
  const before = (await settled(page, id)).runs.length;
  await graphNode(page, 'sampler').getByTestId('param-cfg').fill('5');
  await expect.poll(async () => (await settled(page, id)).runs.length, { timeout: 60_000 }).toBe(before + 1);
  ({ runs, last } = await settled(page, id));
  expect(param(last, 'sampler', 'cfg')).toBe(5);
  expect(last.nodes.filter((n) => n.cached).map((n) => n.id).sort()).toEqual(['checkpoint', 'latent', 'negative', 'positive']);
  const seeds = await Promise.all(runs.map(async (r) => param(await runOf(page, r.id), 'sampler', 'seed')));
  expect(new Set(seeds)).toEqual(new Set([seed]));
  await expect(graphNode(page, 'sampler').getByTestId('param-seed')).toHaveValue(String(seed));

  // Off: an edit runs nothing; the next Run is the only new run.
  await page.getByTestId('live-toggle').click();
  await expect(page.getByTestId('live-toggle')).toHaveAttribute('aria-pressed', 'false');
  await graphNode(page, 'sampler').getByTestId('param-cfg').fill('6');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect.poll(async () => (await settled(page, id)).runs.length, { timeout: 60_000 }).toBe(runs.length + 1);
  await expect.poll(async () => param((await settled(page, id)).last, 'sampler', 'cfg')).toBe(6);
});
