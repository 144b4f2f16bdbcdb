// Canvas helpers that drive the editor the way a person does: drag from the palette, wire handles with the mouse.
import { expect, type Locator, type Page } from '@playwright/test';

export function graphNode(page: Page, nodeId: string): Locator {
  return page.locator(`[data-testid="graph-node"][data-node-id="${nodeId}"]`);
}

export function handle(page: Page, nodeId: string, kind: 'source' | 'target', socket: string): Locator {
  return page.locator(`.react-flow__handle.${kind}[data-nodeid="${nodeId}"][data-handleid="${socket}"]`);
}

async function nodeIds(page: Page): Promise<string[]> {
  return page.getByTestId('graph-node').evaluateAll((els) => els.map((e) => e.getAttribute('data-node-id') ?? ''));
}

/**
 * Drags a palette item onto the canvas at a point relative to the canvas' top-left corner and
 * returns the id the editor gave the new node.
 */
export async function dropFromPalette(page: Page, nodeType: string, at: { x: number; y: number }): Promise<string> {
  const before = new Set(await nodeIds(page));
  await page.getByTestId(`palette-item-${nodeType}`).dragTo(page.getByTestId('canvas'), { targetPosition: at });
  await expect(page.getByTestId('graph-node')).toHaveCount(before.size + 1);
  const added = (await nodeIds(page)).filter((id) => !before.has(id));
  expect(added).toHaveLength(1);
  await expect(graphNode(page, added[0])).toHaveAttribute('data-node-type', nodeType);
  return added[0];
}

async function centre(l: Locator): Promise<{ x: number; y: number }> {
  const box = await l.boundingBox();
  if (!box) throw new Error('element has no box (not visible?)');
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Fails with a clear message when something else (another node, the minimap) covers the handle's centre. */
async function expectUncovered(l: Locator, at: { x: number; y: number }): Promise<void> {
  const onTop = await l.evaluate((el, p) => {
    const hit = document.elementFromPoint(p.x, p.y);
    return hit === el || el.contains(hit) ? null : (hit?.outerHTML.slice(0, 120) ?? 'nothing (off screen)');
  }, at);
  expect(onTop, `handle covered by ${onTop}`).toBeNull();
}

/** Presses on one handle, moves in small steps and releases on the other, like a hand would. */
export async function dragWire(page: Page, from: Locator, to: Locator): Promise<void> {
  const a = await centre(from);
  const b = await centre(to);
  await expectUncovered(from, a);
  await expectUncovered(to, b);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 8 });
  await page.mouse.move(b.x, b.y, { steps: 8 });
  await page.mouse.up();
}

export async function connect(page: Page, from: [string, string], to: [string, string]): Promise<void> {
  await dragWire(page, handle(page, from[0], 'source', from[1]), handle(page, to[0], 'target', to[1]));
}

/** Edges as "from:output->to:input" strings, read from React Flow's DOM. */
export async function edgeIds(page: Page): Promise<string[]> {
  const ids = await page.locator('.react-flow__edge').evaluateAll((els) => els.map((e) => e.getAttribute('data-id') ?? ''));
  return ids.sort();
}

/** Node id, type, flow position (from the node's transform) and every param input's value. */
export async function snapshotCanvas(page: Page) {
  return page.locator('.react-flow__node').evaluateAll((els) =>
    els.map((el) => {
      const inner = el.querySelector('[data-testid="graph-node"]')!;
      const params: Record<string, string> = {};
      for (const input of el.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>('[data-testid^="param-"]')) {
        params[input.dataset.testid!.slice('param-'.length)] = input instanceof HTMLInputElement && input.type === 'checkbox' ? String(input.checked) : input.value;
      }
      return {
        id: inner.getAttribute('data-node-id'),
        type: inner.getAttribute('data-node-type'),
        transform: (el as HTMLElement).style.transform,
        params,
      };
    }).sort((a, b) => String(a.id).localeCompare(String(b.id))),
  );
}

/** Waits until an <img> has decoded real pixels and returns its natural size. */
export async function loadedSize(img: Locator): Promise<{ width: number; height: number }> {
  await expect(img).toBeVisible();
  await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth > 0)).toBe(true);
  return img.evaluate((i: HTMLImageElement) => ({ width: i.naturalWidth, height: i.naturalHeight }));
}

/** Flow positions of the canvas nodes by id, read from React Flow's transforms (what a reload must restore). */
export async function canvasPositions(page: Page): Promise<Record<string, { x: number; y: number }>> {
  const rows = await page.locator('.react-flow__node').evaluateAll((els) =>
    els.map((el) => [el.querySelector('[data-testid="graph-node"]')?.getAttribute('data-node-id') ?? '', (el as HTMLElement).style.transform] as const),
  );
  const out: Record<string, { x: number; y: number }> = {};
  for (const [id, transform] of rows) {
    const m = /translate\((-?[\d.]+)px,\s*(-?[\d.]+)px\)/.exec(transform);
    if (!m) throw new Error(`node ${id}: unexpected transform "${transform}"`);
    out[id] = { x: Number(m[1]), y: Number(m[2]) };
  }
  return out;
}
