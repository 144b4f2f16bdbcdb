// SD3.5 and Flux workflows in ComfyUI's API format: every class imports, the text-encoder loaders become the
// checkpoint's text encoders, and the imported graphs run on the tiny SD3/Flux models.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunner, pixelsOf } from '../acceptance/workflow-runner';
import { acceptanceModelsDir } from '../acceptance/pack';
import type { RunEvent } from '../engine/events';
import { validateGraph } from '../engine/validate';
import { getCatalog } from '../registry';
import { importComfyWorkflow } from './comfyui';
import { comfyFluxDev, comfySd35 } from './comfyui-flow-fixtures';

const node = (graph: { nodes: { id: string; type: string; params: Record<string, unknown> }[] }, id: string) => graph.nodes.find((n) => n.id === id);

describe('ComfyUI SD3.5 / Flux import', () => {
  it('imports the SD3.5 example with no unsupported class: TripleCLIPLoader as the checkpoint, ModelSamplingSD3 shift, sgm_uniform', () => {
    const { graph, report } = importComfyWorkflow(JSON.stringify(comfySd35()), { models: { checkpoints: ['sd3.5_large'] } });
    expect(report.unsupported).toEqual([]);
    expect(validateGraph(graph, { catalog: getCatalog() })).toMatchObject({ ok: true });
    expect(report.nodeIds).toMatchObject({ '4': 'checkpoint', '11': 'text_encoders', '13': 'model_sampling', '16': 'positive', '40': 'negative', '53': 'latent', '3': 'sampler' });
    expect(node(graph, 'text_encoders')).toMatchObject({ type: 'checkpoint_loader', params: { ckpt_name: 'sd3.5_large' } });
    expect(node(graph, 'model_sampling')).toMatchObject({ type: 'model_sampling_sd3', params: { shift: 3 } });
    expect(node(graph, 'latent')).toMatchObject({ type: 'empty_sd3_latent', params: { width: 1024, height: 1024, batch_size: 1 } });
    expect(node(graph, 'sampler')).toMatchObject({ type: 'sampler', params: { scheduler: 'sgm_uniform', sampler: 'euler', cfg: 5.5, steps: 30 } });
    const edges = graph.edges.map((e) => `${e.from.node}.${e.from.output}->${e.to.node}.${e.to.input}`);
    expect(edges).toEqual(expect.arrayContaining([
      'checkpoint.model->model_sampling.model', 'model_sampling.model->sampler.model', 'text_encoders.clip->positive.clip',
      'text_encoders.clip->negative.clip', 'checkpoint.vae->decode.vae',
    ]));
    expect(report.warnings.join('\n')).toMatch(/clip_l\.safetensors, clip_g\.safetensors, t5xxl_fp16\.safetensors imported as the text encoders of checkpoint "sd3\.5_large"/);
  });

  it('imports the Flux example: DualCLIPLoader, FluxGuidance on the positive prompt, cfg 1', () => {
    const { graph, report } = importComfyWorkflow(JSON.stringify(comfyFluxDev()));
    expect(report.unsupported).toEqual([]);
    expect(validateGraph(graph, { catalog: getCatalog() })).toMatchObject({ ok: true });
    expect(node(graph, 'flux_guidance')).toMatchObject({ type: 'flux_guidance', params: { guidance: 3.5 } });
    expect(node(graph, 'text_encoders')).toMatchObject({ type: 'checkpoint_loader', params: { ckpt_name: 'flux1-dev-fp8' } });
    expect(graph.edges.map((e) => `${e.from.node}->${e.to.node}.${e.to.input}`)).toEqual(expect.arrayContaining(['positive->flux_guidance.conditioning', 'flux_guidance->sampler.positive']));
  });

  it('a text-encoder loader without a single checkpoint in the workflow asks for one', () => {
    const wf = comfySd35();
    delete wf['4'];
    const { report } = importComfyWorkflow(JSON.stringify(wf));
    expect(report.warnings.join('\n')).toMatch(/text_encoders \(TripleCLIPLoader 11\): text encoders .* pick the SD3\/Flux checkpoint/);
  });
});

describe('imported SD3.5 / Flux workflows run on the tiny models', () => {
  let runner: ReturnType<typeof createRunner>;
  beforeAll(async () => {
    runner = createRunner(await acceptanceModelsDir());
  }, 600_000);
  afterAll(async () => {
    await runner?.dispose();
  });

  it.each([
    ['SD3.5', () => comfySd35({ ckpt: 'tiny-sd3.safetensors', size: 128, steps: 6 }), 'sampler'],
    ['Flux', () => comfyFluxDev({ ckpt: 'tiny-flux.safetensors', size: 128, steps: 6 }), 'sampler'],
  ])('%s: an image of the latent size, every step run', async (_name, fixture, samplerId) => {
    const { graph, report } = importComfyWorkflow(JSON.stringify(fixture()), { models: { checkpoints: ['tiny-sd3', 'tiny-flux'] } });
    expect(report.unsupported).toEqual([]);
    const events: RunEvent[] = [];
    const r = await runner.run(graph, { onEvent: (e) => events.push(e) });
    expect(events.filter((e) => e.type === 'node:progress' && e.nodeId === samplerId).at(-1)).toMatchObject({ step: 6, total: 6 });
    expect(r.artifacts).toHaveLength(1);
    const px = await pixelsOf(r.artifacts[0].bytes);
    expect([px.width, px.height]).toEqual([128, 128]);
    expect(new Set(px.data).size).toBeGreaterThan(50);
  }, 300_000);
});
