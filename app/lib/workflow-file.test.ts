import { describe, expect, it } from 'vitest';
import { fileToBase64, graphFileName } from './workflow-file';

describe('workflow files in the browser', () => {
  it('encodes every byte value, also past one 32 KiB slice', async () => {
    const bytes = new Uint8Array(70_000).map((_, i) => (i * 7) % 256);
    const b64 = await fileToBase64(new Blob([bytes]));
    expect(new Uint8Array(Buffer.from(b64, 'base64'))).toEqual(bytes);
    expect(await fileToBase64(new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47])]))).toBe('iVBORw==');
  });

  it('makes a safe .json file name from a workflow name', () => {
    expect(graphFileName('Text to image, refine / upscale x4')).toBe('Text_to_image_refine_upscale_x4.json');
    expect(graphFileName('  ***  ')).toBe('workflow.json');
  });
});
