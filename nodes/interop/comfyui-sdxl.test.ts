// ComfyUI workflows on the tiny SDXL checkpoint: CheckpointLoaderSimple loads it as SDXL, and CLIPTextEncodeSDXL /
// CLIPTextEncodeSDXLRefiner become Text Encoder (SDXL) nodes whose sizes reach the U-Net's time ids.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunner, pixelsOf } from '../acceptance/workflow-runner';
import { validateGraph } from '../engine/validate';
import { ensurePack } from '../pack/generate';
import { getCatalog } from '../registry';
import { importComfyWorkflow } from './comfyui';
import { comfyTxt2img, type ComfyPrompt } from './comfyui-fixtures';

let runner: ReturnType<typeof createRunner>;

beforeAll(async () => {
  runner = createRunner((await ensurePack()).modelsDir);
}, 600_000);
afterAll(async () => {
  await runner?.dispose();
});

/** ComfyUI's default graph on tiny-sdxl at 64x64. */
function sdxlTxt2img(): ComfyPrompt {
  const wf = comfyTxt2img('a lighthouse at dusk', 'blurry');
  wf['4'].inputs.ckpt_name = 'tiny-sdxl.safetensors';
  wf['5'].inputs = { width: 64, height: 64, batch_size: 1 };
  return wf;
}

function imported(prompt: ComfyPrompt) {
  const result = importComfyWorkflow(JSON.stringify(prompt), { models: { checkpoints: ['tiny-sdxl', 'tiny-sdxl-refiner'] } });
  expect(validateGraph(result.graph, { catalog: getCatalog() })).toMatchObject({ ok: true });
  return result;
}

async function image(prompt: ComfyPrompt) {
  const r = await runner.run(imported(prompt).graph);
  expect(r.artifacts.map((a) => [a.width, a.height])).toEqual([[64, 64]]);
  return (await pixelsOf(r.artifacts[0].bytes)).data;
}

describe('ComfyUI SDXL workflows', () => {
  it('CheckpointLoaderSimple with an SDXL checkpoint runs the default graph', async () => {
    const { graph } = imported(sdxlTxt2img());
    expect(graph.nodes.find((n) => n.type === 'checkpoint_loader')?.params).toEqual({ ckpt_name: 'tiny-sdxl' });
    const px = await image(sdxlTxt2img());
    expect(new Set(px).size).toBeGreaterThan(2);
  });

  it('CLIPTextEncodeSDXL sets the size conditioning: the default sizes give the plain encoder\'s image, others another', async () => {
    const withSizes = (size: number, textL: string) => {
      const wf = sdxlTxt2img();
      wf['6'] = {
        class_type: 'CLIPTextEncodeSDXL',
        inputs: { clip: ['4', 1], text_g: 'a lighthouse at dusk', text_l: textL, width: size, height: size, crop_w: 0, crop_h: 0, target_width: 64, target_height: 64 },
      };
      return wf;
    };
    const result = imported(withSizes(1024, 'a lighthouse at dusk'));
    // text_l equal to text_g: the same conditioning as StepFlow's empty text_l, no warning.
    expect(result.graph.nodes.find((n) => n.type === 'text_encoder_sdxl')?.params).toEqual({
      text: 'a lighthouse at dusk', text_l: '', width: 1024, height: 1024, crop_w: 0, crop_h: 0, target_width: 64, target_height: 64,
    });
    expect(result.report.warnings.join('\n')).not.toContain('text_l');
    const plain = await image(sdxlTxt2img());
    // 64 x 64 is what the sampler assumes for a 64 px latent anyway: the same time ids, the same image.
    expect(Buffer.from(await image(withSizes(64, ''))).equals(Buffer.from(plain))).toBe(true);
    expect(Buffer.from(await image(withSizes(1024, ''))).equals(Buffer.from(plain))).toBe(false);
  });

  it('CLIPTextEncodeSDXL feeds text_l to CLIP-L and text_g to CLIP-G: another text_l, another image', async () => {
    const withTexts = (textG: string, textL: string) => {
      const wf = sdxlTxt2img();
      wf['6'] = {
        class_type: 'CLIPTextEncodeSDXL',
        inputs: { clip: ['4', 1], text_g: textG, text_l: textL, width: 64, height: 64, crop_w: 0, crop_h: 0, target_width: 64, target_height: 64 },
      };
      return wf;
    };
    const split = imported(withTexts('a lighthouse at dusk', 'a red boat'));
    expect(split.graph.nodes.find((n) => n.type === 'text_encoder_sdxl')?.params).toMatchObject({ text: 'a lighthouse at dusk', text_l: 'a red boat' });
    expect(split.report.warnings.join('\n')).not.toContain('text_l');
    const same = await image(withTexts('a lighthouse at dusk', 'a lighthouse at dusk'));
    expect(Buffer.from(await image(withTexts('a lighthouse at dusk', 'a red boat'))).equals(Buffer.from(same))).toBe(false);
    // Only CLIP-L's prompt changed; a changed text_g gives yet another image.
    expect(Buffer.from(await image(withTexts('a red boat', 'a lighthouse at dusk'))).equals(Buffer.from(await image(withTexts('a lighthouse at dusk', 'a red boat'))))).toBe(false);
    // An empty text_l beside a text_g cannot be said in StepFlow (empty = text_g for both): a warning names it.
    expect(imported(withTexts('a lighthouse at dusk', '')).report.warnings.join('\n')).toContain('text_l is empty');
  });

  it('CLIPTextEncodeSDXLRefiner becomes a Text Encoder (SDXL) with the aesthetic score', () => {
    const wf = sdxlTxt2img();
    wf['4'].inputs.ckpt_name = 'tiny-sdxl-refiner.safetensors';
    wf['6'] = { class_type: 'CLIPTextEncodeSDXLRefiner', inputs: { clip: ['4', 1], text: 'a lighthouse', ascore: 6, width: 1024, height: 1024 } };
    const node = imported(wf).graph.nodes.find((n) => n.type === 'text_encoder_sdxl');
    expect(node?.params).toEqual({ text: 'a lighthouse', width: 1024, height: 1024, aesthetic_score: 6 });
  });
});
