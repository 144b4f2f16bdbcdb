// Drops a file on an element the way the OS does: a DataTransfer holding a File, then
// dragenter / dragover / drop dispatched on the element (Playwright has no native file drag).
import type { Locator } from '@playwright/test';

export async function dropFile(target: Locator, name: string, mime: string, bytes: Uint8Array | string): Promise<void> {
  const base64 = Buffer.from(bytes).toString('base64');
  await target.evaluate((el, f) => {
    const binary = atob(f.base64);
    const data = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([data], f.name, { type: f.mime }));
    for (const type of ['dragenter', 'dragover', 'drop']) {
      el.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
    }
  }, { name, mime, base64 });
}
