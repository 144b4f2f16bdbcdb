// Direct tRPC calls for spec setup (superjson wire format), so specs spend their time on the UI under test.
import fs from 'node:fs';
import { expect, type APIRequestContext, type Page } from '@playwright/test';

export async function trpcMutation<T>(request: APIRequestContext, procedure: string, input: unknown): Promise<T> {
  const res = await request.post(`/api/trpc/${procedure}`, { data: { json: input } });
  const body = await res.json();
  if (!res.ok()) throw new Error(`${procedure} failed (${res.status()}): ${JSON.stringify(body.error ?? body)}`);
  return body.result.data.json as T;
}

export async function trpcQuery<T>(request: APIRequestContext, procedure: string, input: unknown): Promise<T> {
  const res = await request.get(`/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`);
  const body = await res.json();
  if (!res.ok()) throw new Error(`${procedure} failed (${res.status()}): ${JSON.stringify(body.error ?? body)}`);
  return body.result.data.json as T;
}

/**
 * Cancels every queued or running run and says which: a spec that needs the (only) worker must not wait behind a run
 * an earlier spec left behind. Two full CI runs saw panels-agree's run queued behind such a run.
 */
export async function cancelLeftoverRuns(request: APIRequestContext, spec: string): Promise<void> {
  for (const status of ['running', 'queued'] as const) {
    const { items } = await trpcQuery<{ items: { id: string; workflowName: string | null }[] }>(request, 'runs.list', { status, limit: 100 });
    for (const r of items) {
      console.log(`[${spec}] cancelling a ${status} run left behind: ${r.id} (${r.workflowName ?? 'no workflow'})`);
      await trpcMutation(request, 'runs.cancel', { runId: r.id, reason: 'left behind by an earlier spec' }).catch(() => undefined);
    }
  }
}

export interface GraphJson {
  version: 1;
  nodes: { id: string; type: string; typeVersion: number; params: Record<string, unknown>; position: { x: number; y: number } }[];
  edges: { from: { node: string; output: string }; to: { node: string; input: string } }[];
}

export async function createWorkflow(request: APIRequestContext, name: string, graph: GraphJson): Promise<string> {
  const w = await trpcMutation<{ id: string }>(request, 'workflows.create', { name, graph });
  return w.id;
}

/** solid colour -> save image: the smallest graph that produces an output. */
export function colourGraph(color = '#3366cc', size = 64): GraphJson {
  return {
    version: 1,
    nodes: [
      { id: 'fill', type: 'solid_color', typeVersion: 1, params: { width: size, height: size, color }, position: { x: 0, y: 0 } },
      { id: 'save', type: 'save_image', typeVersion: 1, params: { filename_prefix: 'e2e', format: 'png', quality: 92 }, position: { x: 360, y: 0 } },
    ],
    edges: [{ from: { node: 'fill', output: 'image' }, to: { node: 'save', input: 'images' } }],
  };
}

/**
 * A shipped template (workflows/<file>) with some params changed, e.g. a fresh seed: the worker
 * caches node results by params, and a cached sampler streams no previews.
 */
export function templateGraph(file: string, params: Record<string, Record<string, unknown>> = {}): GraphJson {
  const graph = JSON.parse(fs.readFileSync(new URL(`../workflows/${file}`, import.meta.url), 'utf8')) as GraphJson;
  for (const [nodeId, patch] of Object.entries(params)) {
    const node = graph.nodes.find((n) => n.id === nodeId);
    if (!node) throw new Error(`template ${file} has no node "${nodeId}"`);
    node.params = { ...node.params, ...patch };
  }
  return graph;
}

/** A seed no earlier run of this server used (so no node result of it is cached). */
export function freshSeed(): number {
  return Math.floor(Math.random() * 2 ** 32);
}

/** Every RGBA byte of an image as the page decodes it (no colour management). */
export async function pixels(page: Page, url: string): Promise<number[]> {
  return page.evaluate(async (u) => {
    const bmp = await createImageBitmap(await (await fetch(u)).blob(), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
    const g = new OffscreenCanvas(bmp.width, bmp.height).getContext('2d')!;
    g.drawImage(bmp, 0, 0);
    return [...g.getImageData(0, 0, bmp.width, bmp.height).data];
  }, url);
}

/** Presses Run, waits for success, and returns the newest output image's URL once the workflow has `runs` of them. */
export async function runForImage(page: Page, workflowId: string, runs = 1): Promise<string> {
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveText('succeeded', { timeout: 120_000 });
  let items: { url: string }[] = [];
  await expect.poll(async () => {
    items = (await trpcQuery<{ items: { url: string }[] }>(page.request, 'gallery.list', { workflowId })).items;
    return items.length;
  }, { timeout: 30_000 }).toBe(runs);
  return items[0].url;
}
