// Runs and batches as a ComfyUI user meets them: Run ×3 on a fresh template gives three new images (seeds randomize
// after each run), Stop batch / Clear queue end a Run ×N on the server, seeds moving on are not an edit (no prompt on
// leaving, no version; the next run uses a new seed), versions come from Save only, and unsaved edits survive a reload.
import { expect, test, type Page } from '@playwright/test';
import { createWorkflow, freshSeed, templateGraph, trpcQuery } from './api';
import { graphNode } from './canvas';
import { TXT2IMG_TEMPLATE } from './scenario';

interface RunRow { id: string; status: string }
interface RunDetail {
  status: string;
  workflowVersion: number | null;
  graph: { nodes: { id: string; params: Record<string, unknown>; controls?: Record<string, string> }[] };
  nodes: { id: string; cached: boolean }[];
  artifacts: { kind: string; sha256: string }[];
}

const seedOf = (r: RunDetail) => r.graph.nodes.find((n) => n.id === 'sampler')!.params.seed as number;
const runsOf = async (page: Page, workflowId: string) =>
  (await trpcQuery<{ items: RunRow[] }>(page.request, 'runs.list', { workflowId, limit: 100 })).items;
const versionsOf = async (page: Page, id: string) => trpcQuery<{ number: number }[]>(page.request, 'workflows.versions', { id });

/** Any confirm / beforeunload prompt fails the test: moving seeds must never ask "leave with unsaved changes?". */
function failOnDialogs(page: Page): string[] {
  const seen: string[] = [];
  page.on('dialog', (d) => { seen.push(`${d.type()}: ${d.message()}`); void d.dismiss(); });
  return seen;
}

test('Run ×3 on a fresh Text to image: three new seeds and images, no version, no unsaved prompt; the next run after leaving uses a new seed', async ({ page }) => {
  const dialogs = failOnDialogs(page);
  await page.goto('/');
  await page.getByRole('tab', { name: 'Templates' }).click();
  await page.locator(`[data-testid="template-card"][data-template-file="${TXT2IMG_TEMPLATE}"]`).getByRole('button', { name: /Use template/ }).click();
  await expect(page).toHaveURL(/\/w\/[^/]+$/);
  const id = new URL(page.url()).pathname.split('/').pop()!;
  const seedField = graphNode(page, 'sampler').getByTestId('param-seed');
  const shownSeed = Number(await seedField.inputValue());
  expect(await versionsOf(page, id)).toHaveLength(1);

  await page.getByLabel('Batch count').fill('3');
  await expect(page.getByTestId('cache-notice')).toHaveCount(0);
  await page.getByRole('button', { name: 'Run ×3', exact: true }).click();
  let rows: RunRow[] = [];
  await expect.poll(async () => {
    rows = await runsOf(page, id);
    return rows.map((r) => r.status).join(',');
  }, { timeout: 90_000 }).toBe('succeeded,succeeded,succeeded');
  const runs = await Promise.all(rows.map((r) => trpcQuery<RunDetail>(page.request, 'runs.get', { runId: r.id })));
  const seeds = runs.map(seedOf);
  // One run used the seed on screen; the batch's others drew new ones.
  expect(seeds).toContain(shownSeed);
  expect(new Set(seeds).size).toBe(3);
  // Sampled, not answered from cache, and three different files.
  for (const r of runs) expect(r.nodes.find((n) => n.id === 'sampler')!.cached).toBe(false);
  const files = runs.map((r) => r.artifacts.find((a) => a.kind === 'image')!.sha256);
  expect(new Set(files).size).toBe(3);
  // The runs ran the unchanged saved version; running made no version and left nothing unsaved.
  expect(runs.map((r) => r.workflowVersion)).toEqual([1, 1, 1]);
  expect(await versionsOf(page, id)).toHaveLength(1);
  await expect(page.getByTestId('unsaved-dot')).toHaveCount(0);
  await expect(page.getByTestId('batch-state')).toHaveText('3 runs: 3 succeeded');
  // Templates randomize after each run, as ComfyUI does.
  await expect(graphNode(page, 'sampler').getByLabel('seed control')).toHaveValue('randomize');

  // The widget moved on to a seed none of them used: the next run's.
  await expect.poll(async () => Number(await seedField.inputValue())).not.toBe(shownSeed);
  const next = Number(await seedField.inputValue());
  expect(seeds).not.toContain(next);

  // Leaving asks nothing; coming back (and reloading) shows the advanced seed, still not unsaved.
  await page.getByRole('link', { name: 'Library', exact: true }).click();
  await expect(page).toHaveURL(/\/$/);
  await page.goto(`/w/${id}`);
  await expect(seedField).toHaveValue(String(next));
  await page.reload();
  await expect(seedField).toHaveValue(String(next));
  await expect(page.getByTestId('unsaved-dot')).toHaveCount(0);
  await expect(page.getByTestId('draft-banner')).toHaveCount(0);

  await page.getByLabel('Batch count').fill('1');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveText('succeeded', { timeout: 60_000 });
  const latest = await trpcQuery<RunDetail>(page.request, 'runs.get', { runId: (await page.getByTestId('run-status').getAttribute('data-run-id'))! });
  expect(seedOf(latest)).toBe(next);
  expect(latest.nodes.find((n) => n.id === 'sampler')!.cached).toBe(false);
  expect(await versionsOf(page, id)).toHaveLength(1);
  expect(dialogs).toEqual([]);

  // With the seed fixed, pressing Run again could only repeat a cached result: the editor says so near Run.
  await graphNode(page, 'sampler').getByLabel('seed control').selectOption('fixed');
  await expect(page.getByTestId('cache-notice')).toHaveCount(0);
  const status = page.getByTestId('run-status');
  const before = await status.getAttribute('data-run-id');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(status).not.toHaveAttribute('data-run-id', before!);
  await expect(status).toHaveText('succeeded', { timeout: 60_000 });
  await expect(page.getByTestId('cache-notice')).toHaveText('⚠ Nothing changed and seeds are fixed: this run will come from cache.');
  await page.getByLabel('Batch count').fill('2');
  await expect(page.getByTestId('cache-notice')).toContainText('these 2 runs are identical');
});

test('Stop batch ends every run of a Run ×20 on the server; the header counts the batch while it runs; Clear queue takes the waiting ones', async ({ page }) => {
  // Long runs (1000 sampler steps), so the batch is still going when the buttons are pressed.
  const id = await createWorkflow(page.request, `stop batch ${Date.now()}`, templateGraph(TXT2IMG_TEMPLATE, { sampler: { seed: freshSeed(), steps: 1000 } }));
  await page.goto(`/w/${id}`);
  await expect(graphNode(page, 'sampler')).toBeVisible();
  await page.getByLabel('Batch count').fill('20');
  await page.getByRole('button', { name: 'Run ×20', exact: true }).click();

  // Dynamic batching runs up to MAX_BATCH of them together on the one worker; the rest wait.
  const state = page.getByTestId('batch-state');
  await expect(state).toHaveText(/^runs? 1(–\d+)? of 20 · \d+ queued$/, { timeout: 60_000 });
  const [, last, queuedText] = /^runs? 1(?:–(\d+))? of 20 · (\d+) queued$/.exec((await state.textContent())!)!;
  const going = Number(last ?? 1);
  expect(going + Number(queuedText)).toBe(20);

  // Clear queue: the waiting runs are cancelled on the server, the running ones go on.
  await page.getByRole('button', { name: 'Clear queue', exact: true }).click();
  await expect(page.getByTestId('toast').last()).toContainText(/\d+ waiting run\(s\) cancelled/);
  await expect(state).toHaveText(/^runs? 1(–\d+)? of 20$/);
  const afterClear = await runsOf(page, id);
  expect(afterClear.filter((r) => r.status === 'queued')).toHaveLength(0);
  expect(afterClear.filter((r) => r.status === 'running').length).toBeGreaterThan(0);

  // Stop batch: every run of the press still going ends cancelled, as the server records it.
  await page.getByRole('button', { name: 'Stop batch', exact: true }).click();
  await expect(state).toHaveText('20 runs: 20 cancelled', { timeout: 30_000 });
  await expect(page.getByRole('button', { name: 'Stop batch', exact: true })).toHaveCount(0);
  await expect.poll(async () => (await runsOf(page, id)).map((r) => r.status).join(','), { timeout: 30_000 })
    .toBe(Array(20).fill('cancelled').join(','));

  // The worker is free again: a new run of another workflow goes to the end.
  const quick = await createWorkflow(page.request, `after stop ${Date.now()}`, templateGraph(TXT2IMG_TEMPLATE, { sampler: { seed: freshSeed(), steps: 4 } }));
  await page.goto(`/w/${quick}`);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveText('succeeded', { timeout: 60_000 });
});

test('versions come from Save only; an unsaved edit survives a reload as a draft until saved or discarded', async ({ page }) => {
  const id = await createWorkflow(page.request, `draft ${Date.now()}`, templateGraph(TXT2IMG_TEMPLATE, { sampler: { seed: freshSeed(), steps: 4 } }));
  // Leaving with real edits still asks (beforeunload): accept, as a person reloading on purpose would.
  page.on('dialog', (d) => void d.accept());
  await page.goto(`/w/${id}`);
  const prompt = graphNode(page, 'positive').getByTestId('param-text');
  await prompt.fill('green square on navy background');
  await expect(page.getByTestId('unsaved-dot')).toBeVisible();

  // Running the edited canvas runs exactly it, without saving a version.
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveText('succeeded', { timeout: 60_000 });
  const ranId = (await page.getByTestId('run-status').getAttribute('data-run-id'))!;
  const ran = await trpcQuery<RunDetail>(page.request, 'runs.get', { runId: ranId });
  expect(ran.graph.nodes.find((n) => n.id === 'positive')!.params.text).toBe('green square on navy background');
  expect(ran.workflowVersion).toBeNull();
  expect(await versionsOf(page, id)).toHaveLength(1);

  await page.reload();
  await expect(prompt).toHaveValue('green square on navy background');
  await expect(page.getByTestId('unsaved-dot')).toBeVisible();
  await expect(page.getByTestId('draft-banner')).toContainText('Unsaved draft');

  // Save makes version 2 and ends the draft.
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByTestId('unsaved-dot')).toHaveCount(0);
  await expect(page.getByTestId('draft-banner')).toHaveCount(0);
  expect((await versionsOf(page, id)).map((v) => v.number)).toEqual([2, 1]);
  await page.reload();
  await expect(prompt).toHaveValue('green square on navy background');
  await expect(page.getByTestId('draft-banner')).toHaveCount(0);

  // Another edit, kept over a reload, then discarded: back to the saved prompt.
  await prompt.fill('blue circle on red background');
  await page.reload();
  await expect(prompt).toHaveValue('blue circle on red background');
  await page.getByTestId('draft-banner').getByRole('button', { name: 'Discard draft' }).click();
  await expect(prompt).toHaveValue('green square on navy background');
  await expect(page.getByTestId('unsaved-dot')).toHaveCount(0);
  await page.reload();
  await expect(prompt).toHaveValue('green square on navy background');
  expect(await versionsOf(page, id)).toHaveLength(2);

  // The run's record opens the exact graph it ran in the editor, as unsaved changes: its seed, not the one moved on.
  const ranSeed = String(seedOf(ran));
  const seedField = graphNode(page, 'sampler').getByTestId('param-seed');
  await expect(seedField).not.toHaveValue(ranSeed);
  await page.goto(`/runs?run=${ranId}`);
  await page.getByTestId('open-run-graph').click();
  await expect(page).toHaveURL(new RegExp(`/w/${id}\\?run=${ranId}$`));
  await expect(seedField).toHaveValue(ranSeed);
  await expect(prompt).toHaveValue('green square on navy background');
  await expect(page.getByTestId('unsaved-dot')).toBeVisible();
});
