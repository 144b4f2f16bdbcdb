// The shipped template previews are what the templates make today: each is re-rendered on the built-in pack and
// must match its file in workflows/previews/ pixel for pixel (else: npm run templates:previews).
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { WORKFLOWS_DIR } from './paths';
import { createPreviewExecutor, PREVIEW_SIZE, PREVIEWS_DIR, previewFileName, renderTemplatePreview } from './template-previews';

const templates = fs.readdirSync(WORKFLOWS_DIR).filter((f) => f.endsWith('.json')).sort();
const { executor, dispose } = createPreviewExecutor();
afterAll(() => dispose());

async function pixels(png: Uint8Array) {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data };
}

describe('template previews', () => {
  it('every template has one', () => {
    expect(templates.length).toBeGreaterThanOrEqual(5);
    for (const t of templates) expect(fs.existsSync(path.join(PREVIEWS_DIR, previewFileName(t))), t).toBe(true);
  });

  it.each(templates)('%s: the shipped preview is a fresh render of the template, and not one flat colour', async (t) => {
    const shipped = await pixels(fs.readFileSync(path.join(PREVIEWS_DIR, previewFileName(t))));
    const fresh = await pixels(await renderTemplatePreview(executor, t));
    expect(Math.max(shipped.width, shipped.height)).toBeLessThanOrEqual(PREVIEW_SIZE);
    expect([shipped.width, shipped.height]).toEqual([fresh.width, fresh.height]);
    expect(Buffer.compare(shipped.data, fresh.data), `${t}: run npm run templates:previews`).toBe(0);
    const colours = new Set<number>();
    for (let i = 0; i < shipped.data.length; i += 3) colours.add((shipped.data[i] << 16) | (shipped.data[i + 1] << 8) | shipped.data[i + 2]);
    expect(colours.size).toBeGreaterThan(1);
  });
});
