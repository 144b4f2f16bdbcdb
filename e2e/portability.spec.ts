// Shared pipelines: a StepFlow PNG dropped on an empty canvas brings back the exact graph that made it;
// a ComfyUI API-format workflow dropped on the library runs and draws what it prompts; the versions
// panel shows a prompt change as one diff line, and restoring the old version brings the old prompt back.
import fs from 'node:fs';
import { expect, test, type APIRequestContext } from '@playwright/test';
import { freshSeed, templateGraph, trpcMutation, trpcQuery, type GraphJson } from './api';
import { graphNode } from './canvas';
import { dropFile } from './files';
import { twoColourStats } from './pixels';
import { HAND_PROMPT, TXT2IMG_TEMPLATE } from './scenario';

interface RunInfo {
  status: string;
  error: { message: string } | null;
  graph: GraphJson;
  artifacts: { kind: string; mime: string; url: string }[];
}
interface WorkflowVersion { version: { number: number; graph: GraphJson } }

async function finishedRun(request: APIRequestContext, runId: string): Promise<RunInfo> {
  let run: RunInfo | undefined;
  await expect.poll(async () => {
    run = await trpcQuery<RunInfo>(request, 'runs.get', { runId });
    return run.status;
  }, { timeout: 60_000 }).toMatch(/succeeded|failed|cancelled|interrupted/);
  expect(run!.status, `run error: ${run!.error?.message}`).toBe('succeeded');
  return run!;
}

/** What must survive the round trip: ids, types, params, positions, and the wiring. */
function shape(g: GraphJson) {
  const nodes = g.nodes.map((n) => ({ id: n.id, type: n.type, params: n.params, position: n.position }))
    .sort((a, b) => a.id.localeCompare(b.id));
  const edges = g.edges.map((e) => `${e.from.node}:${e.from.output}->${e.to.node}:${e.to.input}`).sort();
  return { nodes, edges };
}

test('a StepFlow PNG dropped on an empty canvas restores the graph of the run that made it', async ({ page, request }) => {
  const { runId } = await trpcMutation<{ runId: string }>(request, 'runs.enqueue', {
    graph: templateGraph(TXT2IMG_TEMPLATE, { sampler: { seed: freshSeed() } }),
  });
  const run = await finishedRun(request, runId);
  const image = run.artifacts.find((a) => a.kind === 'image' && a.mime === 'image/png')!;
  const png = await (await request.get(image.url)).body();

  const { id } = await trpcMutation<{ id: string }>(request, 'workflows.create', { name: `from png ${Date.now()}` });
  await page.goto(`/w/${id}`);
  await expect(page.getByTestId('palette-item-sampler')).toBeVisible();
  await expect(page.getByTestId('graph-node')).toHaveCount(0);

  await dropFile(page.getByTestId('canvas'), 'txt2img.png', 'image/png', png);
  await expect(page.getByTestId('import-report')).toContainText('StepFlow PNG');
  await expect(page.getByTestId('graph-node')).toHaveCount(run.graph.nodes.length);
  await expect(page.getByTestId('unsaved-dot')).toBeVisible();

  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByTestId('unsaved-dot')).toHaveCount(0);
  const saved = await trpcQuery<WorkflowVersion>(request, 'workflows.get', { id });
  expect(saved.version.number).toBe(2);
  expect(shape(saved.version.graph)).toEqual(shape(run.graph));
});

test('a ComfyUI API-format txt2img dropped on the library opens, runs and draws its prompt', async ({ page }) => {
  const comfy = {
    '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'sprites.safetensors' } },
    '6': { class_type: 'CLIPTextEncode', inputs: { text: HAND_PROMPT.text, clip: ['4', 1] } },
    '7': { class_type: 'CLIPTextEncode', inputs: { text: '', clip: ['4', 1] } },
    '5': { class_type: 'EmptyLatentImage', inputs: { width: 256, height: 256, batch_size: 1 } },
    '3': {
      class_type: 'KSampler',
      inputs: {
        seed: 3, steps: 20, cfg: 7.5, sampler_name: 'euler', scheduler: 'normal', denoise: 1,
        model: ['4', 0], positive: ['6', 0], negative: ['7', 0], latent_image: ['5', 0],
      },
    },
    '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
    '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'ComfyUI', images: ['8', 0] } },
  };
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Workflows' })).toBeVisible();
  await dropFile(page.getByTestId('library-drop'), 'comfy_txt2img_api.json', 'application/json', JSON.stringify(comfy));

  await expect(page).toHaveURL(/\/w\/[^/]+$/);
  const report = page.getByTestId('import-report');
  await expect(report).toContainText('ComfyUI API-format');
  await expect(page.getByTestId('import-unsupported')).toHaveCount(0);
  await expect(page.getByTestId('import-unknown-types')).toHaveCount(0);
  await expect(page.getByTestId('graph-node')).toHaveCount(7);
  await expect(page.getByTestId('node-error')).toHaveCount(0);

  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveText(/succeeded|failed|cancelled/, { timeout: 60_000 });
  const error = (await page.getByTestId('run-error').allTextContents()).join(' ');
  expect(await page.getByTestId('run-status').textContent(), `run error: ${error}`).toBe('succeeded');

  const out = page.getByTestId('output-image').first();
  await expect(out).toBeVisible();
  const stats = await twoColourStats(page, (await out.getAttribute('src'))!, HAND_PROMPT.shape, HAND_PROMPT.background);
  expect(stats.width).toBe(256);
  expect(stats.centre, JSON.stringify(stats)).toEqual([...HAND_PROMPT.shape]);
  for (const corner of stats.corners) expect(corner).toEqual([...HAND_PROMPT.background]);
  expect(stats.otherPixels).toBe(0);
});

test('versions panel diffs a prompt change; restoring the old version brings the old prompt back', async ({ page, request }) => {
  const oldText = 'red circle on blue background';
  const newText = 'blue square on red background';
  const graph = templateGraph(TXT2IMG_TEMPLATE, { positive: { text: oldText } });
  const { id } = await trpcMutation<{ id: string }>(request, 'workflows.create', { name: `diff ${Date.now()}`, graph });
  await page.goto(`/w/${id}`);
  const prompt = graphNode(page, 'positive').getByTestId('param-text');
  await expect(prompt).toHaveValue(oldText);

  // v2: the same graph with a message; v3: the new prompt.
  await page.getByPlaceholder('version message (optional)').fill('before the prompt change');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByTestId('workflow-title').locator('..')).toContainText('v2');
  await prompt.fill(newText);
  await page.getByPlaceholder('version message (optional)').fill('new prompt');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByTestId('unsaved-dot')).toHaveCount(0);
  await expect(page.getByTestId('workflow-title').locator('..')).toContainText('v3');

  await page.getByRole('tab', { name: 'Versions' }).click();
  await page.getByRole('combobox', { name: 'Diff from' }).selectOption({ label: 'v2' });
  await page.getByRole('combobox', { name: 'Diff to' }).selectOption({ label: 'v3' });
  const diff = page.getByTestId('version-diff');
  await expect(diff.locator('li')).toHaveText([`positive.text: "${oldText}" → "${newText}"`]);
  // Reversed, the same change reads the other way round.
  await page.getByRole('combobox', { name: 'Diff from' }).selectOption({ label: 'v3' });
  await page.getByRole('combobox', { name: 'Diff to' }).selectOption({ label: 'v2' });
  await expect(diff.locator('li')).toHaveText([`positive.text: "${newText}" → "${oldText}"`]);

  await page.getByRole('button', { name: 'Restore v2' }).click();
  await expect(prompt).toHaveValue(oldText);
  const current = await trpcQuery<WorkflowVersion>(request, 'workflows.get', { id });
  expect(current.version.number).toBe(4);
  expect(current.version.graph.nodes.find((n) => n.id === 'positive')!.params.text).toBe(oldText);

  // Export JSON downloads the canvas graph with its format version.
  const download = page.waitForEvent('download');
  // It sits in the header's "⋯" menu (secondary actions).
  await page.getByRole('button', { name: 'More actions' }).click();
  await page.getByRole('menuitem', { name: 'Export JSON' }).click();
  const file = await (await download).path();
  const exported = JSON.parse(await fs.promises.readFile(file, 'utf8')) as GraphJson;
  expect(exported.version).toBe(3); // format 3: subgraphs (nodes/interop/migrate.ts)
  expect(shape(exported)).toEqual(shape(current.version.graph));
});
