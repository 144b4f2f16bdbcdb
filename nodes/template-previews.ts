// The template cards' pictures: each shipped workflow (workflows/*.json) run on the built-in pack, its first image
// output shrunk to 256 px, written to workflows/previews/<name>.png. `npm run templates:previews` after changing a
// template; template-previews.test.ts re-renders them and fails when a shipped picture no longer matches.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { Executor } from './engine/executor';
import { validateGraph } from './engine/validate';
import { getCatalog } from './registry';
import { OnnxRuntime } from './runtime/onnx';
import { ModelStore } from './runtime/models';
import { InputStore } from './runtime/inputs';
import { defaultInputDirs, defaultModelsDir, WORKFLOWS_DIR } from './paths';

export const PREVIEW_SIZE = 256;
export const PREVIEWS_DIR = path.join(WORKFLOWS_DIR, 'previews');

/** workflows/txt2img.json -> txt2img.png */
export function previewFileName(templateFile: string): string {
  return templateFile.replace(/\.json$/, '.png');
}

/** Runs one template and returns its first image output as a PNG no larger than PREVIEW_SIZE (pixel art stays crisp). */
export async function renderTemplatePreview(executor: Executor, templateFile: string, dir = WORKFLOWS_DIR): Promise<Uint8Array> {
  const text = fs.readFileSync(path.join(dir, templateFile), 'utf8');
  const v = validateGraph(text, { catalog: getCatalog() });
  if (!v.ok) throw new Error(`${templateFile}: ${v.problems.map((p) => p.message).join('; ')}`);
  const result = await executor.run(v.graph, { runId: `preview-${templateFile}` });
  if (result.status !== 'succeeded') throw new Error(`${templateFile}: run ${result.status}: ${result.error?.message}`);
  const image = result.artifacts.find((a) => a.mime.startsWith('image/'));
  if (!image) throw new Error(`${templateFile}: the run wrote no image`);
  const png = await sharp(image.bytes)
    .resize(PREVIEW_SIZE, PREVIEW_SIZE, { fit: 'inside', withoutEnlargement: true, kernel: 'nearest' })
    .png({ compressionLevel: 9 })
    .toBuffer();
  return new Uint8Array(png);
}

export function createPreviewExecutor(): { executor: Executor; dispose(): Promise<void> } {
  const runtime = new OnnxRuntime({ provider: 'cpu', budgetBytes: 2 * 1024 ** 3 });
  const executor = new Executor({ runtime, models: new ModelStore(defaultModelsDir()), inputs: new InputStore(defaultInputDirs()) });
  return { executor, dispose: () => runtime.dispose() };
}

async function main(): Promise<void> {
  const { executor, dispose } = createPreviewExecutor();
  fs.mkdirSync(PREVIEWS_DIR, { recursive: true });
  try {
    for (const file of fs.readdirSync(WORKFLOWS_DIR).filter((f) => f.endsWith('.json')).sort()) {
      const png = await renderTemplatePreview(executor, file);
      fs.writeFileSync(path.join(PREVIEWS_DIR, previewFileName(file)), png);
      console.log(`${file} -> workflows/previews/${previewFileName(file)} (${png.length} bytes)`);
    }
  } finally {
    await dispose();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    console.error((e as Error).message);
    process.exit(1);
  });
}
