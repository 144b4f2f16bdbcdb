// A LoRA that fits none of the checkpoint's layers, through the real server: its run-level warning arrives on
// node:finished, is stored with the node result and comes back from runs.get; models.loraFit marks it for the picker.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Graph } from '../../nodes/engine/graph';
import { spritesCheckpointPart } from '../../nodes/pack/checkpoint';
import { ensurePack } from '../../nodes/pack/generate';
import { part as paletteLoraPart } from '../../nodes/pack/lora/part';
import { writeSafetensors } from '../../nodes/runtime/safetensors';
import { workflowsDir } from '../paths';
import { join, recordEvents, runEnded, startTestServer, tempDir, type TestServer } from '../testing/harness';

let t: TestServer;
let dataDir: string;
const FOREIGN = 'foreign-sd.safetensors';

beforeAll(async () => {
  dataDir = tempDir('lora-warning');
  const models = path.join(dataDir, 'models');
  await ensurePack(models, { parts: [spritesCheckpointPart, paletteLoraPart] });
  // Three SD-style attention layers: names the sprites U-Net does not have.
  const tensors: Parameters<typeof writeSafetensors>[1] = {};
  for (const block of [0, 1, 2]) {
    const m = `lora_unet_down_blocks_${block}_attentions_0_transformer_blocks_0_attn1_to_q`;
    tensors[`${m}.lora_down.weight`] = { shape: [4, 320], data: new Float32Array(4 * 320).fill(0.01) };
    tensors[`${m}.lora_up.weight`] = { shape: [320, 4], data: new Float32Array(320 * 4).fill(0.01) };
  }
  writeSafetensors(path.join(models, 'loras', FOREIGN), tensors);
  t = await startTestServer(dataDir, { MAX_BATCH: '1' });
}, 120_000);

afterAll(async () => {
  await t?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** The shipped LoRA workflow (sprites: 256 px only), 4 steps, with `lora` in its loader. */
function loraGraph(lora: string): Graph {
  const g = JSON.parse(fs.readFileSync(path.join(workflowsDir, 'lora.json'), 'utf8')) as Graph;
  g.nodes.find((n) => n.type === 'lora_loader')!.params.lora_name = lora;
  g.nodes.find((n) => n.type === 'sampler')!.params.steps = 4;
  return g;
}

const finished = (runId: string) => runEnded(t, runId);

describe('LoRA fit warning through the server', () => {
  it('streams, stores and returns "0 of 3 layers" for a LoRA made for another model', async () => {
    const wf = await t.trpc.workflows.create.mutate({ name: 'lora', graph: loraGraph(FOREIGN) });
    const sock = await t.socket();
    const seen = recordEvents(sock);
    await join(sock, { workflowId: wf.id });
    const { runId } = await t.trpc.runs.enqueue.mutate({ workflowId: wf.id, graph: loraGraph(FOREIGN) });
    const run = await finished(runId);
    expect(run.error).toBeNull();
    expect(run.status).toBe('succeeded');

    const warning = {
      code: 'lora_fit', lora: FOREIGN, checkpoint: 'sprites', applied: 0, total: 3,
      message: `LoRA ${FOREIGN} applied to 0 of 3 layers of checkpoint sprites — it does not fit this model`,
    };
    const live = seen.find((e) => e.name === 'node:finished' && e.payload.runId === runId && e.payload.nodeId === 'lora');
    expect(live && 'warnings' in live.payload ? live.payload.warnings : undefined).toEqual([warning]);
    expect(run.nodes.find((n) => n.id === 'lora')!.warnings).toEqual([warning]);
    // Only the loader warns: every other node's result carries none.
    expect(run.nodes.filter((n) => n.id !== 'lora').every((n) => n.warnings.length === 0)).toBe(true);
  }, 120_000);

  it('stores no warning for the demo LoRA', async () => {
    const { runId } = await t.trpc.runs.enqueue.mutate({ graph: loraGraph('sprites-palette.safetensors') });
    const run = await finished(runId);
    expect(run.error).toBeNull();
    expect(run.status).toBe('succeeded');
    expect(run.nodes.map((n) => n.warnings)).toEqual(run.nodes.map(() => []));
  }, 120_000);

  it('models.loraFit counts each LoRA\'s fitting layers against the checkpoint, and refuses an unknown one', async () => {
    expect(await t.trpc.models.loraFit.query({ checkpoint: 'sprites' })).toEqual({
      checkpoint: 'sprites',
      fit: { [FOREIGN]: { applied: 0, total: 3 }, 'sprites-palette.safetensors': { applied: 1, total: 1 } },
    });
    await expect(t.trpc.models.loraFit.query({ checkpoint: 'nope' })).rejects.toThrow(/no checkpoints model "nope"/);
  });
});
