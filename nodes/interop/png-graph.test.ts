// Graphs embedded in PNGs: round trip through a real encoded image, UTF-8 safety, replacement,
// and typed errors for damaged chunks.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { GRAPH_FORMAT_VERSION, type Graph } from '../engine/graph';
import { decodeImage, encodeImage } from '../runtime/image';
import type { Tensor } from '../runtime/tensor';
import { WORKFLOWS_DIR } from '../paths';
import { WorkflowImportError } from './errors';
import { readPngChunks, readPngTextEntries, setPngText } from './png-chunks';
import { embedGraph, extractGraph, GRAPH_CHUNK } from './png-graph';

/** The shipped template in the current format (a format-1 graph would come back upgraded: migrate.test.ts). */
const txt2img = (): Graph => ({ ...JSON.parse(fs.readFileSync(path.join(WORKFLOWS_DIR, 'txt2img.json'), 'utf8')), version: GRAPH_FORMAT_VERSION });

/** A 16x8 gradient, so a pixel that moved or changed would show. */
function gradient(): Tensor {
  const [w, h] = [16, 8];
  const data = new Float32Array(3 * w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      data[y * w + x] = x / (w - 1);
      data[w * h + y * w + x] = y / (h - 1);
      data[2 * w * h + y * w + x] = 0.5;
    }
  }
  return { data, dims: [1, 3, h, w] };
}

const png = async () => (await encodeImage(gradient(), { format: 'png' })).bytes;

function thrown(fn: () => unknown): WorkflowImportError {
  try {
    fn();
  } catch (e) {
    if (e instanceof WorkflowImportError) return e;
    throw e;
  }
  throw new Error('did not throw');
}

describe('embedGraph / extractGraph', () => {
  it('round-trips the graph and run details through a real PNG that still decodes to the same pixels', async () => {
    const original = await png();
    const graph = txt2img();
    const out = embedGraph(original, graph, { params: { sampler: { seed: 1234 } }, runId: 'run-7' });
    expect(extractGraph(out)).toEqual({ graph, extra: { params: { sampler: { seed: 1234 } }, runId: 'run-7' } });
    const meta = await sharp(out).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 16, 8]);
    expect((await decodeImage(out)).data).toEqual((await decodeImage(original)).data);
    // iTXt right after IHDR, so readers that stop at the first IDAT still see it.
    expect(readPngChunks(out).map((c) => c.type).slice(0, 3)).toEqual(['IHDR', 'iTXt', 'iTXt']);
  });

  it('keeps non-Latin-1 prompts intact (iTXt is UTF-8)', async () => {
    const graph = txt2img();
    graph.nodes.find((n) => n.id === 'positive')!.params.text = '赤い円 on blue — “quoted” 🟥';
    const back = extractGraph(embedGraph(await png(), graph));
    expect(back!.graph.nodes.find((n) => n.id === 'positive')!.params.text).toBe('赤い円 on blue — “quoted” 🟥');
    expect(back!.extra).toEqual({});
  });

  it('replaces an earlier embedding instead of adding a second one', async () => {
    const first = embedGraph(await png(), txt2img(), { runId: 'a' });
    const changed = txt2img();
    changed.nodes.find((n) => n.id === 'sampler')!.params.steps = 30;
    const second = embedGraph(first, changed);
    expect(readPngChunks(second).filter((c) => c.type === 'iTXt')).toHaveLength(2); // graph + the old run chunk
    expect(extractGraph(second)!.graph.nodes.find((n) => n.id === 'sampler')!.params.steps).toBe(30);
  });

  it('reads a graph that encodeImage wrote as tEXt (the runtime\'s own text option)', async () => {
    const graph = txt2img();
    const { bytes } = await encodeImage(gradient(), { format: 'png', text: { [GRAPH_CHUNK]: JSON.stringify(graph) } });
    expect(readPngTextEntries(bytes).find((e) => e.keyword === GRAPH_CHUNK)?.text).toBe(JSON.stringify(graph));
    expect(readPngChunks(bytes).filter((c) => c.type === 'tEXt' || c.type === 'iTXt').map((c) => [c.type, c.crcOk])).toEqual([['tEXt', true]]);
    expect(extractGraph(bytes)!.graph).toEqual(graph);
  });

  it('gives null for a PNG without a graph', async () => {
    expect(extractGraph(await png())).toBeNull();
  });

  it('throws typed errors for broken JSON, a schema-invalid graph, a damaged chunk and a non-PNG', async () => {
    const base = await png();
    const broken = thrown(() => extractGraph(setPngText(base, { [GRAPH_CHUNK]: '{"nodes": [' })));
    expect([broken.code, broken.message]).toEqual(['corrupt_graph_chunk', expect.stringContaining('"stepflow-graph" chunk is not valid JSON')]);
    expect(thrown(() => extractGraph(setPngText(base, { [GRAPH_CHUNK]: '{"nodes": 5, "edges": []}' }))).code).toBe('corrupt_graph_chunk');
    expect(thrown(() => extractGraph(setPngText(base, { 'stepflow-run': '[1]', [GRAPH_CHUNK]: '{"nodes": [], "edges": []}' }))).code).toBe('corrupt_graph_chunk');

    const damaged = embedGraph(base, txt2img());
    const chunk = readPngChunks(damaged)[1];
    damaged[chunk.offset + 8 + 40] ^= 0x20; // one flipped bit inside the JSON
    const crc = thrown(() => extractGraph(damaged));
    expect([crc.code, crc.message]).toEqual(['corrupt_graph_chunk', expect.stringContaining('fails its CRC check')]);

    expect(thrown(() => extractGraph(new TextEncoder().encode('{"nodes": []}'))).code).toBe('invalid_png');
    expect(thrown(() => extractGraph(base.subarray(0, base.length - 20))).code).toBe('invalid_png');
  });

  it('rejects a graph from a newer StepFlow with the version it needs', async () => {
    const future = embedGraph(await png(), { ...txt2img(), version: GRAPH_FORMAT_VERSION + 1 } as unknown as Graph);
    const e = thrown(() => extractGraph(future));
    expect(e.code).toBe('unsupported_graph_version');
    expect(e.message).toContain(`format version ${GRAPH_FORMAT_VERSION + 1}`);
  });
});
