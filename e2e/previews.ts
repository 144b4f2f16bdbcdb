// Watches, inside the page, every preview frame a node type shows while a run goes: each new <img>
// source (one per preview message) is fetched at once, before the editor revokes its blob URL, and
// hashed, so a spec can tell frames that differ in pixels; also notes when a final output image appears.
import { expect, type Page } from '@playwright/test';

export interface PreviewFrame {
  /** SHA-256 of the frame's bytes. */
  hash: string;
  /** The step the node showed with the frame. */
  step: number;
  /** performance.now() in the page when the frame appeared. */
  at: number;
}

export interface PreviewLog {
  frames: PreviewFrame[];
  /** performance.now() when an output image not present at install time first appeared, if it did. */
  outputAt: number | null;
}

interface WatchState {
  frames: PreviewFrame[];
  pending: Promise<unknown>[];
  outputAt: number | null;
}

/** Starts watching (call after the editor is loaded); `read()` waits for pending hashes and returns the log. */
export async function watchPreviews(page: Page, nodeType: string): Promise<{ read(): Promise<PreviewLog> }> {
  await page.evaluate((type) => {
    const state: WatchState = { frames: [], pending: [], outputAt: null };
    (window as unknown as { previewWatch: WatchState }).previewWatch = state;
    const seen = new Set<string>();
    const oldOutputs = new Set([...document.querySelectorAll<HTMLImageElement>('[data-testid="output-image"]')].map((i) => i.src));
    const hex = (b: ArrayBuffer) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('');
    const check = () => {
      const sel = `[data-testid="graph-node"][data-node-type="${type}"] [data-testid="node-preview"]`;
      for (const img of document.querySelectorAll<HTMLImageElement>(sel)) {
        if (!img.src || seen.has(img.src)) continue;
        seen.add(img.src);
        const frame = { step: Number(/(\d+)\s*$/.exec(img.alt)?.[1] ?? -1), at: performance.now() };
        state.pending.push(
          fetch(img.src)
            .then((r) => r.arrayBuffer())
            .then((b) => crypto.subtle.digest('SHA-256', b))
            .then((d) => state.frames.push({ ...frame, hash: hex(d) }), (e) => state.frames.push({ ...frame, hash: `unreadable: ${e}` })),
        );
      }
      if (state.outputAt === null) {
        const outputs = [...document.querySelectorAll<HTMLImageElement>('[data-testid="output-image"]')];
        if (outputs.some((i) => !oldOutputs.has(i.src))) state.outputAt = performance.now();
      }
    };
    new MutationObserver(check).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['src'] });
  }, nodeType);
  return {
    read: () => page.evaluate(async () => {
      const state = (window as unknown as { previewWatch: WatchState }).previewWatch;
      await Promise.all(state.pending);
      return { frames: [...state.frames].sort((a, b) => a.at - b.at), outputAt: state.outputAt };
    }),
  };
}

/**
 * The previews were live: at least `minFrames` pixel-distinct frames were shown, all before the final
 * image. The sprites model's predicted image settles after about a quarter of the steps, so the e2e
 * server lets 60 previews a second through (PREVIEW_FPS in playwright.config.ts); at the default 15 a
 * fast worker may show only the first and the settled frame of a 60-step run.
 */
export function expectLivePreviews(log: PreviewLog, minFrames = 3): void {
  const detail = JSON.stringify(log);
  expect(log.frames.length, detail).toBeGreaterThanOrEqual(minFrames);
  expect(log.frames.every((f) => !f.hash.startsWith('unreadable')), detail).toBe(true);
  expect(new Set(log.frames.map((f) => f.hash)).size, detail).toBeGreaterThanOrEqual(minFrames);
  expect(log.outputAt, detail).not.toBeNull();
  expect(log.frames.every((f) => f.at < log.outputAt!), detail).toBe(true);
}
