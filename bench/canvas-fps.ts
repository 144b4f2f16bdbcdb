// Canvas frame rate: a 300-node graph opened, panned and zoomed in headless Chromium against the real server
// (production Next build, SQLite), frames timed with requestAnimationFrame in the page. A benchmark, not a test:
// it prints figures; machines are too noisy for assertions. `npx tsx bench/canvas-fps.ts [nodes]`.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from '@playwright/test';
import { bigGraph } from '../e2e/big-graph';
import { freePort } from '../server/testing/free-port';
import { tempDir } from '../server/testing/harness';

export interface PhaseFps {
  phase: string;
  frames: number;
  /** Median frames per second (from the median frame interval). */
  medianFps: number;
  /** The slowest frame, as frames per second. */
  worstFps: number;
  /** 95th percentile frame interval, ms. */
  p95Ms: number;
  /** Share of frames slower than 1/30 s. */
  under30: number;
}

export interface CanvasFpsResult {
  nodes: number;
  /** From navigation to every node on the canvas, ms. */
  openMs: number;
  phases: PhaseFps[];
}

export const CHROMIUM = '/usr/bin/chromium';


function phase(name: string, times: number[]): PhaseFps {
  const gaps = times.slice(1).map((t, i) => t - times[i]).sort((a, b) => a - b);
  if (!gaps.length) return { phase: name, frames: 0, medianFps: 0, worstFps: 0, p95Ms: 0, under30: 0 };
  const at = (q: number) => gaps[Math.min(gaps.length - 1, Math.floor(q * gaps.length))];
  return {
    phase: name, frames: gaps.length, medianFps: 1000 / at(0.5), worstFps: 1000 / gaps[gaps.length - 1], p95Ms: at(0.95),
    under30: gaps.filter((g) => g > 1000 / 30).length / gaps.length,
  };
}

/** Frame timestamps (performance.now()) between two instants of the page's clock. */
async function framesBetween(page: Page, from: number, to: number): Promise<number[]> {
  return page.evaluate(([a, b]) => (window as unknown as { __frames: number[] }).__frames.filter((t) => t >= a && t <= b), [from, to]);
}

const now = (page: Page) => page.evaluate(() => performance.now());

/** A point of the canvas where the pane itself is hit (no node, edge or panel), near the canvas centre. */
async function emptyPanePoint(page: Page): Promise<{ x: number; y: number }> {
  const p = await page.getByTestId('canvas').evaluate((canvas) => {
    const box = canvas.getBoundingClientRect();
    for (let r = 0; r < Math.max(box.width, box.height) / 2; r += 10) {
      for (let a = 0; a < 360; a += 15) {
        const x = box.left + box.width / 2 + r * Math.cos((a * Math.PI) / 180);
        const y = box.top + box.height / 2 + r * Math.sin((a * Math.PI) / 180);
        if (document.elementFromPoint(x, y)?.classList.contains('react-flow__pane')) return { x, y };
      }
    }
    return null;
  });
  if (!p) throw new Error('no empty spot of the pane to drag');
  return p;
}

/** Opens a `nodes`-node canvas, then pans (drag on the pane) and zooms (wheel out, then in) for about 2 s each. */
export async function benchCanvasFps(nodes = 300): Promise<CanvasFpsResult> {
  const dataDir = tempDir('bench-canvas');
  const port = await freePort();
  // Next reads these from the process: the pages are the production build, as users get them.
  Object.assign(process.env, { NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' });
  const { loadEnv } = await import('../server/env');
  const { createServer } = await import('../server/app');
  const { ensureNextBuild } = await import('../server/next-build');
  const { chromium } = await import('@playwright/test');
  const log = (m: string) => { if (process.env.BENCH_VERBOSE) console.log(m); };
  await ensureNextBuild(console.log);
  const server = await createServer({
    env: loadEnv({ DATA_DIR: dataDir, DATABASE_URL: `file:${path.join(dataDir, 'stepflow.db')}`, PORT: String(port), NODE_ENV: 'production', WORKERS: '1' }),
    next: true, log,
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const created = await fetch(`${server.url}/api/trpc/workflows.create`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ json: { name: `${nodes} nodes`, graph: bigGraph(nodes) } }),
    });
    if (!created.ok) throw new Error(`workflows.create: ${created.status} ${await created.text()}`);
    const id = ((await created.json()) as { result: { data: { json: { id: string } } } }).result.data.json.id;
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    // A string, not a function: tsx wraps named functions in a helper the page does not have.
    await page.addInitScript('window.__frames = []; (function tick(t) { if (t) window.__frames.push(t); requestAnimationFrame(tick); })();');

    // Warm-up visit: the server compiles nothing in production, but the first page load fills caches.
    await page.goto(`${server.url}/w/${id}`);
    await page.locator('[data-testid="graph-node"]').nth(nodes - 1).waitFor({ state: 'attached' });
    await page.goto(`${server.url}/w/${id}`);
    const navStart = await now(page);
    await page.locator('[data-testid="graph-node"]').nth(nodes - 1).waitFor({ state: 'attached', timeout: 120_000 });
    const rendered = await now(page);
    await page.waitForTimeout(1000);
    const phases = [phase('open (first second after every node is on the canvas)', await framesBetween(page, rendered, await now(page)))];

    const start = await emptyPanePoint(page);
    let t0 = await now(page);
    await page.mouse.move(start.x, start.y);
    await page.mouse.down();
    for (let i = 1; i <= 120; i++) {
      // Right and down, then back: a hand dragging the canvas about.
      const k = i <= 60 ? i : 120 - i;
      await page.mouse.move(start.x + k * 6, start.y + k * 3);
      await page.waitForTimeout(16);
    }
    await page.mouse.up();
    phases.push(phase('pan (drag on the pane, 120 moves)', await framesBetween(page, t0, await now(page))));

    // Button zooms (×1.2 each) between 0.75× and 0.625×, then across the simplified-view threshold (0.52× ↔ 0.43×):
    // what crossing it costs on top of a zoom step.
    const zoomOut = page.getByRole('button', { name: 'Zoom Out' });
    const zoomIn = page.getByRole('button', { name: 'Zoom In' });
    const seesaw = async (name: string) => {
      const from = await now(page);
      for (let i = 0; i < 5; i++) {
        await zoomOut.click();
        await page.waitForTimeout(250);
        await zoomIn.click();
        await page.waitForTimeout(250);
      }
      phases.push(phase(name, await framesBetween(page, from, await now(page))));
    };
    await seesaw('zoom steps within the full view (0.75× ↔ 0.625×, 10 clicks)');
    await zoomOut.click();
    await zoomOut.click();
    await page.waitForTimeout(500);
    await seesaw('zoom steps across the simplified view (0.52× ↔ 0.43×)');
    await zoomIn.click();
    await zoomIn.click();
    await page.waitForTimeout(500);

    const canvas = (await page.getByTestId('canvas').boundingBox())!;
    await page.mouse.move(canvas.x + canvas.width / 2, canvas.y + canvas.height / 2);
    t0 = await now(page);
    for (let i = 0; i < 120; i++) {
      // Out to the whole graph and in again.
      await page.mouse.wheel(0, i < 60 ? 40 : -40);
      await page.waitForTimeout(16);
    }
    phases.push(phase('zoom (wheel out, then in, 120 notches)', await framesBetween(page, t0, await now(page))));
    // The whole graph on screen: every node drawn at once.
    await page.getByRole('button', { name: /fit view/i }).click();
    await page.waitForTimeout(300);
    t0 = await now(page);
    for (let i = 1; i <= 120; i++) {
      const k = i <= 60 ? i : 120 - i;
      await page.mouse.move(start.x + k * 6, start.y + k * 3);
      if (i === 1) await page.mouse.down();
      await page.waitForTimeout(16);
    }
    await page.mouse.up();
    phases.push(phase('pan with the whole graph in view (after fit view)', await framesBetween(page, t0, await now(page))));
    return { nodes, openMs: rendered - navStart, phases };
  } finally {
    await browser.close();
    await server.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export function canvasFpsTable(r: CanvasFpsResult): string {
  const f = (x: number, d = 1) => x.toFixed(d);
  return [
    `${r.nodes} nodes: open ${f(r.openMs, 0)} ms to every node on the canvas`,
    'phase                                                   frames  median fps  worst fps  p95 ms  frames < 30 fps',
    ...r.phases.map((p) => `${p.phase.padEnd(55)} ${String(p.frames).padStart(6)} ${f(p.medianFps).padStart(11)} ${f(p.worstFps).padStart(10)} ${f(p.p95Ms).padStart(7)} ${`${f(100 * p.under30)}%`.padStart(16)}`),
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchCanvasFps(Number(process.argv[2] ?? 300)).then((r) => {
    console.log(canvasFpsTable(r));
    process.exit(0);
  }, (e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
