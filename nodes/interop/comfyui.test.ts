// ComfyUI API-format import: node and socket mapping, readable ids, params, layout, and reports.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateGraph } from '../engine/validate';
import { WORKFLOWS_DIR } from '../paths';
import { getCatalog } from '../registry';
import { importComfyWorkflow } from './comfyui';
import { comfyLoraChain, comfyTwoPass, comfyTxt2img, type ComfyPrompt } from './comfyui-fixtures';
import { diffGraphs } from './diff';
import { WorkflowImportError } from './errors';

const catalog = getCatalog();
const shipped = (file: string) => JSON.parse(fs.readFileSync(path.join(WORKFLOWS_DIR, file), 'utf8'));
const edgeList = (g: { edges: { from: { node: string; output: string }; to: { node: string; input: string } }[] }) =>
  g.edges.map((e) => `${e.from.node}.${e.from.output}>${e.to.node}.${e.to.input}`).sort();

function importError(input: unknown): WorkflowImportError {
  try {
    importComfyWorkflow(input);
  } catch (e) {
    if (e instanceof WorkflowImportError) return e;
    throw e;
  }
  throw new Error('import did not fail');
}

describe('importComfyWorkflow: the default txt2img graph', () => {
  const { graph, report } = importComfyWorkflow(JSON.stringify(comfyTxt2img()));

  it('uses the shipped workflows\' readable ids and maps every ComfyUI id', () => {
    expect(report.imported).toEqual(['checkpoint', 'latent', 'positive', 'negative', 'sampler', 'decode', 'save']);
    expect(report.nodeIds).toEqual({ 3: 'sampler', 4: 'checkpoint', 5: 'latent', 6: 'positive', 7: 'negative', 8: 'decode', 9: 'save' });
    expect(report.unsupported).toEqual([]);
    expect(report.warnings).toEqual(['checkpoint (CheckpointLoaderSimple 4): checkpoint "sprites.safetensors" imported as "sprites": StepFlow checkpoints are ONNX folders']);
  });

  it('carries params over by name, with ComfyUI\'s CPU torch noise', () => {
    const params = Object.fromEntries(graph.nodes.map((n) => [n.id, n.params]));
    expect(params).toEqual({
      checkpoint: { ckpt_name: 'sprites' },
      latent: { width: 256, height: 256, batch_size: 1 },
      positive: { text: 'red circle on blue background' },
      negative: { text: '' },
      sampler: { seed: 42, steps: 20, cfg: 7.5, sampler: 'euler', scheduler: 'normal', denoise: 1, noise: 'torch' },
      decode: {},
      save: { filename_prefix: 'ComfyUI', format: 'png' },
    });
  });

  it('wires exactly the edges of the shipped txt2img workflow', () => {
    const d = diffGraphs(shipped('txt2img.json'), graph);
    expect([d.nodesAdded, d.nodesRemoved, d.edgesAdded, d.edgesRemoved]).toEqual([[], [], [], []]);
    expect(d.paramsChanged).toEqual([
      { nodeId: 'sampler', param: 'noise', from: undefined, to: 'torch' },
      { nodeId: 'save', param: 'filename_prefix', from: 'txt2img', to: 'ComfyUI' },
    ]);
  });

  it('lays nodes out left to right by depth', () => {
    const pos = Object.fromEntries(graph.nodes.map((n) => [n.id, n.position]));
    expect(pos).toEqual({
      checkpoint: { x: 0, y: 0 }, latent: { x: 0, y: 240 },
      positive: { x: 340, y: 0 }, negative: { x: 340, y: 240 },
      sampler: { x: 680, y: 0 }, decode: { x: 1020, y: 0 }, save: { x: 1360, y: 0 },
    });
  });

  it('validates against the catalog', () => {
    expect(validateGraph(graph, { catalog }).problems).toEqual([]);
  });
});

describe('importComfyWorkflow: samplers', () => {
  it('maps KSamplerAdvanced steps, end step and leftover noise', () => {
    const { graph, report } = importComfyWorkflow(comfyTwoPass());
    expect(report.imported).toEqual(['checkpoint', 'latent', 'positive', 'negative', 'sampler_10', 'sampler_11', 'decode', 'save']);
    const base = { seed: 42, steps: 20, cfg: 7.5, sampler: 'euler', scheduler: 'normal', noise: 'torch', denoise: 1 };
    expect(graph.nodes.find((n) => n.id === 'sampler_10')!.params).toEqual({ ...base, start_step: 0, end_step: 14, return_leftover_noise: true });
    expect(graph.nodes.find((n) => n.id === 'sampler_11')!.params).toEqual({ ...base, start_step: 14, end_step: 10000, return_leftover_noise: false });
    expect(graph.edges).toContainEqual({ from: { node: 'sampler_10', output: 'latent' }, to: { node: 'sampler_11', input: 'latent' } });
    expect(report.warnings).toHaveLength(1); // only the checkpoint rename: the add_noise flags agree with StepFlow
    expect(validateGraph(graph, { catalog }).problems).toEqual([]);
  });

  it('warns where add_noise disagrees with what StepFlow does', () => {
    const wf = comfyTwoPass();
    wf['10'].inputs.add_noise = 'disable';
    wf['11'].inputs.add_noise = 'enable';
    const { report } = importComfyWorkflow(wf);
    expect(report.warnings.slice(1)).toEqual([
      'sampler_10 (KSamplerAdvanced 10): add_noise "disable" on a latent without leftover noise: StepFlow adds noise to it as for any clean latent',
      'sampler_11 (KSamplerAdvanced 11): add_noise "enable" on a leftover-noise latent: StepFlow continues it without adding fresh noise',
    ]);
  });

  it('turns ComfyUI denoise into its step window: the last 20 steps of int(20 / 0.6) = 33', () => {
    const wf = comfyTxt2img();
    wf['3'].inputs.denoise = 0.6;
    const { graph } = importComfyWorkflow(wf);
    expect(graph.nodes.find((n) => n.id === 'sampler')!.params).toMatchObject({ steps: 33, start_step: 13, denoise: 1 });
  });

  it('maps sampler and scheduler names and reports the unsupported ones', () => {
    const cases: [string, string, string, string][] = [
      ['dpmpp_2m_sde_gpu', 'karras', 'dpmpp_2m_sde', 'karras'],
      ['lcm', 'sgm_uniform', 'lcm', 'normal'],
      ['euler', 'ddim_uniform', 'euler', 'normal'],
      ['dpmpp_3m_sde', 'beta', 'dpmpp_3m_sde', 'beta'],
    ];
    for (const [samplerName, scheduler, sampler, schedule] of cases) {
      const wf = comfyTxt2img();
      Object.assign(wf['3'].inputs, { sampler_name: samplerName, scheduler });
      const { graph, report } = importComfyWorkflow(wf);
      expect(graph.nodes.find((n) => n.id === 'sampler')!.params).toMatchObject({ sampler, scheduler: schedule });
      expect(report.warnings.length).toBeGreaterThan(1);
    }
    const wf = comfyTxt2img();
    wf['3'].inputs.sampler_name = 'dpmpp_3m_sde';
    const { graph, report } = importComfyWorkflow(wf);
    expect(report.warnings[1]).toMatch(/^sampler \(KSampler 3\): sampler "dpmpp_3m_sde" is not supported; choose one of: euler, euler_ancestral/);
    const problems = validateGraph(graph, { catalog }).problems;
    expect(problems.map((p) => [p.code, p.nodeId, p.param])).toEqual([['param_invalid', 'sampler', 'sampler']]);
  });

  it('reduces a seed above 2^53 - 1 (2^64 mod (2^53 - 1) = 2^11)', () => {
    const text = JSON.stringify(comfyTxt2img()).replace('"seed":42', '"seed":18446744073709551615');
    const { graph, report } = importComfyWorkflow(text);
    expect(graph.nodes.find((n) => n.id === 'sampler')!.params.seed).toBe(2048);
    expect(report.warnings.some((w) => w.includes('reduced to 2048'))).toBe(true);
  });
});

describe('importComfyWorkflow: loaders and image nodes', () => {
  it('chains LoRAs by output index (0 MODEL, 1 CLIP) with <type>_<id> ids', () => {
    const { graph } = importComfyWorkflow(comfyLoraChain());
    expect(graph.nodes.map((n) => n.id)).toEqual(['checkpoint', 'latent', 'lora_loader_10', 'lora_loader_11', 'positive', 'negative', 'sampler', 'decode', 'save']);
    expect(graph.nodes.find((n) => n.id === 'lora_loader_11')!.params).toEqual({ lora_name: 'sprites-palette.safetensors', strength_model: 0.5, strength_clip: 0.25 });
    expect(edgeList(graph).filter((e) => e.includes('lora'))).toEqual([
      'checkpoint.clip>lora_loader_10.clip', 'checkpoint.model>lora_loader_10.model',
      'lora_loader_10.clip>lora_loader_11.clip', 'lora_loader_10.model>lora_loader_11.model',
      'lora_loader_11.clip>negative.clip', 'lora_loader_11.clip>positive.clip', 'lora_loader_11.model>sampler.model',
    ]);
    expect(graph.nodes.find((n) => n.id === 'lora_loader_11')!.position).toEqual({ x: 680, y: 0 });
    expect(validateGraph(graph, { catalog }).problems).toEqual([]);
  });

  it('gives a single LoRA the shipped id "lora" and the shipped lora.json wiring', () => {
    const wf = comfyLoraChain();
    delete wf['11'];
    for (const id of ['3', '6', '7']) for (const k of ['model', 'clip']) if (wf[id].inputs[k]) wf[id].inputs[k] = ['10', k === 'model' ? 0 : 1];
    const { graph } = importComfyWorkflow(wf);
    expect(edgeList(graph)).toEqual(edgeList(shipped('lora.json')));
  });

  it('maps LoadImage, the upscaler, ImageScale kernels and model names', () => {
    const wf: ComfyPrompt = {
      '1': { class_type: 'LoadImage', inputs: { image: 'example.png [input]', upload: 'image' } },
      '2': { class_type: 'UpscaleModelLoader', inputs: { model_name: '4x-UltraSharp.pth' } },
      '3': { class_type: 'ImageUpscaleWithModel', inputs: { upscale_model: ['2', 0], image: ['1', 0] } },
      '4': { class_type: 'ImageScale', inputs: { upscale_method: 'bicubic', width: 512, height: 512, crop: 'disabled', image: ['3', 0] } },
      '5': { class_type: 'SaveImage', inputs: { filename_prefix: 'up', images: ['4', 0] } },
    };
    const { graph } = importComfyWorkflow(wf);
    expect(graph.nodes.map((n) => [n.id, n.type, n.params])).toEqual([
      ['image', 'load_image', { image: 'example.png' }],
      ['upscale_model', 'upscaler_loader', { model_name: '4x-UltraSharp.onnx' }],
      ['upscaler', 'upscale_image', { mode: 'model', scale: 1 }],
      ['resize', 'resize', { width: 512, height: 512, kernel: 'cubic' }],
      ['save', 'save_image', { filename_prefix: 'up', format: 'png' }],
    ]);
    expect(edgeList(graph)).toEqual(['image.image>upscaler.image', 'resize.image>save.images', 'upscale_model.upscale_model>upscaler.upscale_model', 'upscaler.image>resize.image']);
    expect(validateGraph(graph, { catalog }).problems).toEqual([]);

    wf['2'].inputs.model_name = 'ESRGAN-Slim-x4.pth';
    wf['4'].inputs.upscale_method = 'nearest-exact';
    const known = importComfyWorkflow(wf, { models: { upscalers: ['esrgan-slim-x2.onnx', 'esrgan-slim-x4.onnx'] } }).graph;
    expect(known.nodes.find((n) => n.id === 'upscale_model')!.params.model_name).toBe('esrgan-slim-x4.onnx');
    expect(known.nodes.find((n) => n.id === 'resize')!.params.kernel).toBe('nearest');
  });

  it('maps a hires fix with CLIP skip: LatentUpscaleBy, CLIPSetLastLayer, a second KSampler; embedding: prompts kept as written', () => {
    const wf = comfyTxt2img('embedding:sprite-style red circle, embedding:easyneg.safetensors');
    wf['10'] = { class_type: 'CLIPSetLastLayer', inputs: { stop_at_clip_layer: -2, clip: ['4', 1] } };
    wf['6'].inputs.clip = ['10', 0];
    wf['7'].inputs.clip = ['10', 0];
    wf['11'] = { class_type: 'LatentUpscaleBy', inputs: { upscale_method: 'bilinear', scale_by: 2, samples: ['3', 0] } };
    wf['12'] = { class_type: 'KSampler', inputs: { ...wf['3'].inputs, denoise: 0.5, latent_image: ['11', 0] } };
    wf['8'].inputs.samples = ['12', 0];
    const { graph, report } = importComfyWorkflow(wf);
    expect(report.unsupported).toEqual([]);
    const skip = graph.nodes.find((n) => n.type === 'clip_set_last_layer')!;
    expect(skip.params).toEqual({ stop_at_clip_layer: -2 });
    expect(graph.nodes.find((n) => n.type === 'latent_upscale')!.params).toEqual({ width: 0, height: 0, scale: 2, method: 'bilinear' });
    const encoders = graph.nodes.filter((n) => n.type === 'text_encoder');
    expect(encoders.map((n) => n.params.text)).toContain('embedding:sprite-style red circle, embedding:easyneg.safetensors');
    for (const e of encoders) expect(graph.edges).toContainEqual({ from: { node: skip.id, output: 'clip' }, to: { node: e.id, input: 'clip' } });
    expect(graph.edges).toContainEqual({ from: { node: 'checkpoint', output: 'clip' }, to: { node: skip.id, input: 'clip' } });
    expect(validateGraph(graph, { catalog }).problems).toEqual([]);
  });

  it('maps ImageCrop onto Crop Image', () => {
    const wf = {
      '1': { class_type: 'LoadImage', inputs: { image: 'example.png' } },
      '2': { class_type: 'ImageCrop', inputs: { image: ['1', 0], width: 128, height: 64, x: 16, y: 8 } },
      '3': { class_type: 'SaveImage', inputs: { filename_prefix: 'crop', images: ['2', 0] } },
    };
    const { graph, report } = importComfyWorkflow(wf);
    expect(report.unsupported).toEqual([]);
    expect(graph.nodes.find((n) => n.type === 'crop')!.params).toEqual({ x: 16, y: 8, width: 128, height: 64 });
    expect(validateGraph(graph, { catalog }).problems).toEqual([]);
  });

  it('maps PreviewImage onto Preview Image (shown, not saved), not onto Save Image', () => {
    const wf = comfyTxt2img();
    wf['9'] = { class_type: 'PreviewImage', inputs: { images: ['8', 0] } };
    const { graph, report } = importComfyWorkflow(wf);
    expect(report.nodeIds[9]).toBe('preview');
    expect(graph.nodes.find((n) => n.id === 'preview')).toMatchObject({ type: 'preview_image', params: {} });
    expect(graph.nodes.some((n) => n.type === 'save_image')).toBe(false);
    expect(report.warnings.filter((w) => w.includes('preview'))).toEqual([]);
    expect(edgeList(graph)).toContain('decode.image>preview.images');
    expect(validateGraph(graph, { catalog }).problems).toEqual([]);
  });

  it('keeps unknown model names as given so validation reports unknown_model', () => {
    const wf = comfyTxt2img();
    wf['4'].inputs.ckpt_name = 'v1-5-pruned-emaonly.safetensors';
    const { graph, report } = importComfyWorkflow(wf, { models: { checkpoints: ['sprites', 'tiny-sd'] } });
    expect(graph.nodes[0].params.ckpt_name).toBe('v1-5-pruned-emaonly.safetensors');
    expect(report.warnings).toEqual(['checkpoint (CheckpointLoaderSimple 4): checkpoint "v1-5-pruned-emaonly.safetensors" is not installed; pick one of: sprites, tiny-sd']);
    const problems = validateGraph(graph, { catalog, models: { exists: (_kind, name) => ['sprites', 'tiny-sd'].includes(name) } }).problems;
    expect(problems.map((p) => [p.code, p.nodeId, p.param])).toEqual([['unknown_model', 'checkpoint', 'ckpt_name']]);
  });
});

describe('importComfyWorkflow: what it cannot import', () => {
  it('lists unsupported nodes, drops their edges and says so', () => {
    const wf = comfyTxt2img();
    // A custom node (CLIPSetLastLayer itself is mapped).
    wf['10'] = { class_type: 'CLIP Skip Plus', inputs: { stop_at_clip_layer: -2, clip: ['4', 1] } };
    wf['11'] = { class_type: 'CR Seed', inputs: { seed: 7 } };
    wf['12'] = { class_type: 'LatentFlip', inputs: { flip_method: 'x-axis: vertically', samples: ['3', 0] } };
    wf['6'].inputs.clip = ['10', 0];
    wf['7'].inputs.clip = ['10', 0];
    wf['3'].inputs.seed = ['11', 0];
    const { graph, report } = importComfyWorkflow(wf);
    expect(report.unsupported.map((u) => [u.id, u.classType])).toEqual([['10', 'CLIP Skip Plus'], ['11', 'CR Seed'], ['12', 'LatentFlip']]);
    expect(report.unsupported[0].reason).toBe('StepFlow has no CLIP Skip Plus node; rebuild that step with StepFlow nodes or leave it out');
    expect(graph.nodes).toHaveLength(7);
    expect(report.warnings.slice(1)).toEqual([
      'checkpoint (CheckpointLoaderSimple 4): its clip output fed input "clip" of unsupported node 10 (CLIP Skip Plus); that link is dropped',
      'positive (CLIPTextEncode 6): input "clip" came from unsupported node 10 (CLIP Skip Plus); its link is dropped, connect it again',
      'negative (CLIPTextEncode 7): input "clip" came from unsupported node 10 (CLIP Skip Plus); its link is dropped, connect it again',
      'sampler (KSampler 3): param "seed" is wired to node 11 (CR Seed); StepFlow params are not wired, so its default is used',
      'sampler (KSampler 3): its latent output fed input "samples" of unsupported node 12 (LatentFlip); that link is dropped',
    ]);
    expect(graph.nodes.find((n) => n.id === 'sampler')!.params).not.toHaveProperty('seed');
    const problems = validateGraph(graph, { catalog }).problems;
    expect(problems.map((p) => `${p.code} ${p.nodeId}.${p.input}`).sort()).toEqual(['missing_input negative.clip', 'missing_input positive.clip']);
  });

  it('maps LoadImage\'s MASK output and SetLatentNoiseMask onto the shipped inpaint workflow', () => {
    const wf = comfyTxt2img('green square on blue background');
    delete wf['5'];
    wf['10'] = { class_type: 'LoadImage', inputs: { image: 'inpaint-circle.png', upload: 'image' } };
    wf['11'] = { class_type: 'VAEEncode', inputs: { pixels: ['10', 0], vae: ['4', 2] } };
    wf['12'] = { class_type: 'SetLatentNoiseMask', inputs: { samples: ['11', 0], mask: ['10', 1] } };
    wf['3'].inputs.latent_image = ['12', 0];
    const { graph, report } = importComfyWorkflow(wf);
    expect(report.unsupported).toEqual([]);
    const d = diffGraphs(shipped('inpaint.json'), graph);
    expect([d.nodesAdded, d.nodesRemoved, d.edgesAdded, d.edgesRemoved]).toEqual([[], [], [], []]);
    expect(validateGraph(graph, { catalog }).problems).toEqual([]);
  });

  it('maps ControlNetLoader, Canny and ControlNetApplyAdvanced onto the shipped ControlNet workflow', () => {
    const wf = comfyTxt2img('a house, line art');
    wf['4'].inputs.ckpt_name = 'tiny-sd-controlnet.safetensors';
    Object.assign(wf['5'].inputs, { width: 64, height: 64 });
    wf['10'] = { class_type: 'LoadImage', inputs: { image: 'example.png', upload: 'image' } };
    wf['11'] = { class_type: 'Canny', inputs: { image: ['10', 0], low_threshold: 0.4, high_threshold: 0.8 } };
    wf['12'] = { class_type: 'ControlNetLoader', inputs: { control_net_name: 'control_v11p_sd15_canny.safetensors' } };
    wf['13'] = {
      class_type: 'ControlNetApplyAdvanced',
      inputs: { positive: ['6', 0], negative: ['7', 0], control_net: ['12', 0], image: ['11', 0], strength: 0.7, start_percent: 0.1, end_percent: 0.9 },
    };
    Object.assign(wf['3'].inputs, { positive: ['13', 0], negative: ['13', 1] });
    const { graph, report } = importComfyWorkflow(wf, { models: { checkpoints: ['tiny-sd-controlnet'], controlnet: ['tiny-sd-controlnet.onnx'] } });
    expect(report.unsupported).toEqual([]);
    const d = diffGraphs(shipped('controlnet-canny.json'), graph);
    expect([d.nodesAdded, d.nodesRemoved, d.edgesAdded, d.edgesRemoved]).toEqual([[], [], [], []]);
    expect(graph.nodes.find((n) => n.id === 'apply_controlnet')!.params).toEqual({ strength: 0.7, start_percent: 0.1, end_percent: 0.9 });
    expect(graph.nodes.find((n) => n.id === 'canny')!.params).toEqual({ low_threshold: 0.4, high_threshold: 0.8 });
    // Not installed: the name is kept (validation reports it) and the report names the installed ones.
    expect(graph.nodes.find((n) => n.id === 'controlnet')!.params).toEqual({ control_net_name: 'control_v11p_sd15_canny.safetensors' });
    expect(report.warnings).toContain('controlnet (ControlNetLoader 12): ControlNet "control_v11p_sd15_canny.safetensors" is not installed; pick one of: tiny-sd-controlnet.onnx');
    expect(validateGraph(graph, { catalog }).problems).toEqual([]);
  });

  it('maps the old ControlNetApply: the one conditioning it steers goes to positive, the negative stays unwired', () => {
    const wf = comfyTxt2img();
    wf['10'] = { class_type: 'LoadImage', inputs: { image: 'example.png' } };
    wf['12'] = { class_type: 'ControlNetLoader', inputs: { control_net_name: 'tiny-sd-controlnet.onnx' } };
    wf['13'] = { class_type: 'ControlNetApply', inputs: { conditioning: ['6', 0], control_net: ['12', 0], image: ['10', 0], strength: 0.5 } };
    wf['3'].inputs.positive = ['13', 0];
    const { graph } = importComfyWorkflow(wf);
    expect(graph.nodes.find((n) => n.id === 'apply_controlnet')).toMatchObject({ type: 'apply_controlnet', params: { strength: 0.5, start_percent: 0, end_percent: 1 } });
    expect(edgeList(graph).filter((e) => e.includes('apply_controlnet'))).toEqual([
      'apply_controlnet.positive>sampler.positive', 'controlnet.control_net>apply_controlnet.control_net', 'image.image>apply_controlnet.image', 'positive.conditioning>apply_controlnet.positive',
    ]);
    expect(edgeList(graph)).toContain('negative.conditioning>sampler.negative');
    expect(validateGraph(graph, { catalog }).problems).toEqual([]);
  });

  it('maps VAEEncodeForInpaint with its grow_mask_by', () => {
    const wf = comfyTxt2img();
    delete wf['5'];
    wf['10'] = { class_type: 'LoadImage', inputs: { image: 'inpaint-circle.png' } };
    wf['11'] = { class_type: 'VAEEncodeForInpaint', inputs: { pixels: ['10', 0], vae: ['4', 2], mask: ['10', 1], grow_mask_by: 8 } };
    wf['3'].inputs.latent_image = ['11', 0];
    const { graph } = importComfyWorkflow(wf);
    expect(graph.nodes.find((n) => n.id === 'encode')).toMatchObject({ type: 'vae_encode_inpaint', params: { grow_mask_by: 8 } });
    expect(edgeList(graph).filter((e) => e.includes('encode'))).toEqual(['checkpoint.vae>encode.vae', 'encode.latent>sampler.latent', 'image.image>encode.image', 'image.mask>encode.mask']);
    expect(validateGraph(graph, { catalog }).problems).toEqual([]);
  });

  it('explains how to export the API format when given the UI format', () => {
    const ui = { last_node_id: 9, last_link_id: 9, nodes: [{ id: 3, type: 'KSampler', widgets_values: [42] }], links: [[1, 4, 0, 3, 0, 'MODEL']], version: 0.4 };
    const e = importError(JSON.stringify(ui));
    expect(e.code).toBe('comfyui_ui_format');
    expect(e.message).toContain('"Save (API Format)"');
  });

  it('rejects bad JSON and JSON that is no workflow with typed errors', () => {
    expect(importError('{"3": {"class_type": "KSampler",').code).toBe('invalid_json');
    expect(importError('{"foo": 1}').code).toBe('not_a_workflow');
    expect(importError([1, 2]).code).toBe('not_a_workflow');
  });

  it('accepts the /prompt request body ({ prompt: {...} })', () => {
    const { report } = importComfyWorkflow({ prompt: comfyTxt2img(), client_id: 'abc' });
    expect(report.imported).toHaveLength(7);
  });
});

describe('importComfyWorkflow: many ids that sanitise to the same StepFlow id', () => {
  /** 50,000 distinct ComfyUI ids ("n" + two non-word characters) that all become empty_latent_n_. */
  function colliding(count: number): Record<string, unknown> {
    const prompt: Record<string, unknown> = {};
    for (let i = 0; i < count; i++) {
      const id = `n${String.fromCharCode(0x4e00 + (i % 250), 0x4e00 + Math.floor(i / 250))}`;
      prompt[id] = { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 } };
    }
    return prompt;
  }

  it('gives every node its own id (_2, _3, ... in ComfyUI id order) and completes', () => {
    const { graph, report } = importComfyWorkflow(colliding(50_000));
    expect(graph.nodes).toHaveLength(50_000);
    expect(new Set(graph.nodes.map((n) => n.id)).size).toBe(50_000);
    const ids = Object.values(report.nodeIds);
    expect(ids.slice(0, 3)).toEqual(['empty_latent_n_', 'empty_latent_n__2', 'empty_latent_n__3']);
    expect(ids.at(-1)).toBe('empty_latent_n__50000');
  });

  it('refuses a prompt over maxNodes before converting it, saying how many it has', () => {
    let err: unknown;
    try {
      importComfyWorkflow(colliding(50_000), { maxNodes: 2000 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WorkflowImportError);
    expect(err).toMatchObject({ code: 'too_many_nodes', message: 'the workflow has 50000 nodes; at most 2000 can be imported here' });
  });
});
