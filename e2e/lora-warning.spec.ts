// Issue 17: a LoRA made for another model merges into nothing. The picker marks it against the checkpoint wired into
// the loader, and a run with it says so in Results ("applied to 0 of 3 layers of checkpoint sprites"), live and when
// the run is opened again later.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { writeSafetensors } from '../nodes/runtime/safetensors';
import { createWorkflow, freshSeed, templateGraph } from './api';
import { graphNode } from './canvas';

// The server's models folder (playwright.config.ts sets no MODELS_DIR: the project's models/, as server/env.ts says).
const lorasDir = path.resolve(process.env.MODELS_DIR ?? fileURLToPath(new URL('../models', import.meta.url)), 'loras');
const MISFIT = `e2e-sd-attention-${process.pid}.safetensors`;

test.beforeAll(() => {
  // Three SD-style attention projections: names the sprites U-Net does not have.
  const tensors: Parameters<typeof writeSafetensors>[1] = {};
  for (const block of [0, 1, 2]) {
    const m = `lora_unet_down_blocks_${block}_attentions_0_transformer_blocks_0_attn1_to_q`;
    tensors[`${m}.lora_down.weight`] = { shape: [4, 320], data: new Float32Array(4 * 320).fill(0.01) };
    tensors[`${m}.lora_up.weight`] = { shape: [320, 4], data: new Float32Array(320 * 4).fill(0.01) };
  }
  writeSafetensors(path.join(lorasDir, MISFIT), tensors);
});
test.afterAll(() => fs.rmSync(path.join(lorasDir, MISFIT), { force: true }));

test('a LoRA that fits nothing: marked in the picker, warned about in Results, also when the run is reopened', async ({ page, request }) => {
  const graph = templateGraph('lora.json', { sampler: { seed: freshSeed(), steps: 4 } });
  const id = await createWorkflow(request, `lora warning ${Date.now()}`, graph);
  await page.goto(`/w/${id}`);

  const picker = graphNode(page, 'lora').getByTestId('param-lora_name');
  await expect(picker).toHaveValue('sprites-palette.safetensors');
  // The demo LoRA fits the sprites checkpoint: no mark. The foreign one is marked against that checkpoint.
  await expect(picker.locator('option', { hasText: 'sprites-palette.safetensors' })).toHaveText('sprites-palette.safetensors');
  await expect(picker.locator('option', { hasText: MISFIT })).toHaveText(`${MISFIT} ⚠ does not fit sprites`);

  await expect(graphNode(page, 'lora').getByTestId('model-note')).toHaveCount(0);
  await picker.selectOption(MISFIT);
  // The closed picker cuts the name: the node says it on a line of its own.
  await expect(graphNode(page, 'lora').getByTestId('model-note')).toHaveText('⚠ does not fit sprites');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveText('succeeded', { timeout: 60_000 });
  const results = page.getByTestId('results-panel');
  const message = `⚠ LoRA ${MISFIT} applied to 0 of 3 layers of checkpoint sprites — it does not fit this model`;
  await expect(results.getByTestId('run-warnings')).toHaveText(message);
  await expect(results.getByTestId('result-image')).toHaveCount(1); // the run still made its image

  // A past run opened later: the editor shows the newest run from runs.get.
  await page.reload();
  await expect(page.getByTestId('results-panel').getByTestId('result-image')).toHaveCount(1);
  await expect(page.getByTestId('results-panel').getByTestId('run-warnings')).toHaveText(message);

  // Back to the demo LoRA: the next run has no warning.
  const status = page.getByTestId('run-status');
  const misfitRun = await status.getAttribute('data-run-id');
  await graphNode(page, 'lora').getByTestId('param-lora_name').selectOption('sprites-palette.safetensors');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(status).not.toHaveAttribute('data-run-id', misfitRun ?? '');
  await expect(status).toHaveText('succeeded', { timeout: 60_000 });
  await expect(page.getByTestId('results-panel').getByTestId('result-image')).toHaveCount(1);
  await expect(page.getByTestId('run-warnings')).toHaveCount(0);
});
