// workflows.import over HTTP: each file kind a user can drop comes back as a graph with its report.
import fs from 'node:fs';
import { TRPCClientError } from '@trpc/client';
import type { AppRouter } from '.';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { comfyTxt2img } from '../../nodes/interop/comfyui-fixtures';
import { embedGraph } from '../../nodes/interop/png-graph';
import { fillGraph, startTestServer, tempDir, type TestServer } from '../testing/harness';

let t: TestServer;
let dataDir: string;

beforeAll(async () => {
  dataDir = tempDir('import');
  t = await startTestServer(dataDir);
});

afterAll(async () => {
  await t?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const b64 = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64');

describe('workflows.import', () => {
  it('reads a ComfyUI API-format prompt into StepFlow nodes and stores nothing', async () => {
    const before = (await t.trpc.workflows.list.query()).length;
    const res = await t.trpc.workflows.import.mutate({ name: 'shapes.json', base64: b64(JSON.stringify(comfyTxt2img('green square'))) });
    expect(res.source).toBe('comfyui');
    expect(res.name).toBe('shapes');
    expect(res.graph.nodes.map((n) => n.type).sort()).toEqual(
      ['checkpoint_loader', 'empty_latent', 'sampler', 'save_image', 'text_encoder', 'text_encoder', 'vae_decode'],
    );
    const texts = res.graph.nodes.filter((n) => n.type === 'text_encoder').map((n) => n.params.text);
    expect(texts).toContain('green square');
    expect(res.report.unsupported).toEqual([]);
    expect(res.report.unknownNodeTypes).toEqual([]);
    expect((await t.trpc.workflows.list.query()).length).toBe(before);
  });

  it('names unsupported ComfyUI nodes in the report', async () => {
    const prompt = { ...comfyTxt2img(), '20': { class_type: 'FancyUpscaleWizard', inputs: { image: ['8', 0] } } };
    const res = await t.trpc.workflows.import.mutate({ name: 'extra.json', base64: b64(JSON.stringify(prompt)) });
    expect(res.report.unsupported.map((u) => u.classType)).toEqual(['FancyUpscaleWizard']);
  });

  it('reads the graph embedded in a PNG exactly, and reports unknown node types by name', async () => {
    const graph = fillGraph('#00ff00', 8, 8);
    const withUnknown = {
      ...graph,
      nodes: [...graph.nodes, { id: 'mystery', type: 'mystery_node', typeVersion: 1, params: {}, position: { x: 700, y: 0 } }],
    };
    const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#102030' } }).png().toBuffer();
    const res = await t.trpc.workflows.import.mutate({ name: 'out.png', base64: b64(embedGraph(new Uint8Array(png), withUnknown)) });
    expect(res.source).toBe('png');
    expect(res.graph.nodes).toEqual(withUnknown.nodes);
    expect(res.graph.edges).toEqual(withUnknown.edges);
    expect(res.report.unknownNodeTypes).toEqual(['mystery_node']);
  });

  it('refuses a PNG without a workflow with a message naming the file', async () => {
    const png = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#000000' } }).png().toBuffer();
    const e = await t.trpc.workflows.import.mutate({ name: 'photo.png', base64: b64(png) }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TRPCClientError);
    expect((e as TRPCClientError<AppRouter>).message).toMatch(/^photo\.png: this PNG carries no workflow/);
    expect((e as TRPCClientError<AppRouter>).data?.code).toBe('BAD_REQUEST');
  });
});
