// The headless runner (a real child process) on what the editor imports: a ComfyUI API-format .json and a PNG
// StepFlow saved, with the import report printed before the run; a file holding no workflow is refused by name.
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { COLORS } from './pack/sprites/palette';
import { PROJECT_ROOT } from './paths';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-cli-import-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'nodes/cli.ts'), ...args], {
    cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 ** 2,
  });
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, json: last.startsWith('{') ? JSON.parse(last) : undefined };
}

function write(name: string, content: string | Uint8Array): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, content);
  return file;
}

async function rgb(file: string, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  const o = (y * info.width + x) * info.channels;
  return [...data.subarray(o, o + 3)];
}

/** ComfyUI's default txt2img in API format, plus a custom node StepFlow lacks (hanging off the decoded image). */
function comfyTxt2img(ckpt: string) {
  return {
    '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: ckpt } },
    '6': { class_type: 'CLIPTextEncode', inputs: { text: 'green square on navy background', clip: ['4', 1] } },
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
    '10': { class_type: 'FaceDetailerPipe', inputs: { image: ['8', 0] } },
  };
}

describe('npm run graph -- run|validate on imported files', () => {
  it('runs a ComfyUI API-format .json: the report comes first, the image is the prompted sprite', async () => {
    const file = write('comfy_api.json', JSON.stringify(comfyTxt2img('sprites.safetensors')));
    const out = path.join(tmp, 'comfy-out');
    const r = cli('run', file, '--out', out, '--json');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stderr.split('\n').filter((l) => !l.startsWith('npm warn'));
    expect(lines[0]).toBe(`import ${file}: ComfyUI API format, 7 node(s)`);
    expect(lines[1]).toMatch(/^ {2}unsupported: FaceDetailerPipe \(ComfyUI node 10\): StepFlow has no FaceDetailerPipe node/);
    expect(r.stderr).toContain('matched the installed model "sprites"');
    expect(r.json.status).toBe('succeeded');
    expect(r.json.import).toMatchObject({ source: 'comfyui', unsupported: [{ id: '10', classType: 'FaceDetailerPipe' }] });
    const png = r.json.runs[0].outputs[0].files[0] as string;
    const meta = await sharp(png).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 256, 256]);
    expect(await rgb(png, 128, 128)).toEqual([...COLORS.green]);
    expect(await rgb(png, 2, 2)).toEqual([...COLORS.navy]);
  });

  it('runs the graph embedded in a PNG the runner (as the editor) saved, and gets the same pixels', async () => {
    const first = cli('run', 'workflows/image-ops.json', '--set', 'square.color=#00ff00', '--out', path.join(tmp, 'ops'), '--json');
    expect(first.code, first.stderr).toBe(0);
    const saved = first.json.runs[0].outputs[0].files[0] as string;
    // Renamed without an extension: the runner goes by the bytes, not the name.
    const png = write('from-the-gallery', fs.readFileSync(saved));
    const r = cli('run', png, '--out', path.join(tmp, 'again'), '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`import ${png}: StepFlow PNG (embedded graph), 7 node(s)`);
    const again = r.json.runs[0].outputs[0].files[0] as string;
    const meta = await sharp(again).metadata();
    expect([meta.width, meta.height]).toEqual([512, 512]);
    expect(await rgb(again, 256, 256)).toEqual([0, 255, 0]); // the --set colour travelled inside the PNG
    expect(await rgb(again, 500, 500)).toEqual(await rgb(saved, 500, 500));
  });

  it('validate reports a ComfyUI checkpoint this server lacks as a missing model and exits 1', () => {
    const file = write('comfy_missing.json', JSON.stringify(comfyTxt2img('dreamshaper_8.safetensors')));
    const r = cli('validate', file);
    expect(r.code).toBe(1);
    const report = r.stderr.indexOf('  missing model: node "checkpoint" param "ckpt_name": no checkpoints model named "dreamshaper_8.safetensors"');
    const error = r.stderr.indexOf('error unknown_model [checkpoint]');
    expect(report).toBeGreaterThan(-1);
    expect(error).toBeGreaterThan(report);
  });

  it('a file holding no workflow is refused with a clear error naming it', async () => {
    const text = write('notes.txt', 'shopping list\n');
    const r = cli('run', text);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`invalid_json: ${text}: not valid JSON`);
    expect(r.stderr).toContain('the runner reads a StepFlow graph .json, a PNG saved by StepFlow');
    expect(r.stdout).toBe('');

    const plain = write('plain.png', await sharp({ create: { width: 4, height: 4, channels: 3, background: '#123456' } }).png().toBuffer());
    const p = cli('validate', plain, '--json');
    expect(p.code).toBe(2);
    expect(p.stderr).toContain(`no_embedded_graph: ${plain}: this PNG carries no workflow`);
    expect(p.json).toMatchObject({ status: 'error', code: 'no_embedded_graph' });

    const other = write('other.json', JSON.stringify({ hello: 'world' }));
    expect(cli('run', other).stderr).toContain(`not_a_workflow: ${other}: not a workflow`);
  });
});
