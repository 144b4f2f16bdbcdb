// Runs the real headless runner as a child process, as `npm run graph` does.
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { PROJECT_ROOT } from './paths';
import { classifySprite } from './pack/sprites';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function cli(...args: string[]) {
  return cliWithEnv({}, ...args);
}

/** `timeout` is a hang guard, not a speed check: generating the whole pack takes ~20 s on an idle 2-core machine. */
function cliWithEnv(env: Record<string, string>, ...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'nodes/cli.ts'), ...args], {
    cwd: PROJECT_ROOT, encoding: 'utf8', timeout: env.MODELS_DIR ? 480_000 : 120_000, maxBuffer: 64 * 1024 ** 2, env: { ...process.env, ...env },
  });
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, json: last.startsWith('{') ? JSON.parse(last) : undefined };
}

async function pixel(file: string, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  const o = (y * info.width + x) * info.channels;
  return [...data.subarray(o, o + 3)];
}

/** Within one 8-bit level: the image passes through 8-bit twice (composite, then resize). */
function expectClose(actual: number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((a, i) => expect(Math.abs(a - expected[i])).toBeLessThanOrEqual(1));
}

function writeGraph(name: string, graph: unknown): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, typeof graph === 'string' ? graph : JSON.stringify(graph));
  return file;
}

describe('npm run graph -- run', () => {
  it('on a fresh clone (empty MODELS_DIR) generates the model pack first, then runs the hires-fix workflow', async () => {
    const models = path.join(tmp, 'fresh-models');
    const out = path.join(tmp, 'fresh-out');
    const r = cliWithEnv({ MODELS_DIR: models }, 'run', 'workflows/hires-fix.json', '--set', 'positive.text=green heart on black background', '--json', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`no model pack in ${models} yet: generating it (npm run models)`);
    expect(fs.existsSync(path.join(models, '.pack.json'))).toBe(true);
    const file = r.json.runs[0].outputs.find((o: { nodeId: string }) => o.nodeId === 'save').files[0];
    const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([512, 512]);
    expect(classifySprite(data, 512, 512)).toMatchObject({ shape: 'heart', color: 'green', background: 'black', wrongCells: 0 });
    // The second run finds the pack and generates nothing.
    const again = cliWithEnv({ MODELS_DIR: models }, 'validate', 'workflows/hires-fix.json');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toContain('generating');
  }, 600_000);

  it('runs the ControlNet example: a 64x64 PNG, the same bytes for the same seed, other pixels for another', async () => {
    const run = (dir: string, ...set: string[]) => {
      const r = cli('run', 'workflows/controlnet-canny.json', ...set, '--json', '--out', path.join(tmp, dir));
      expect(r.code, r.stderr).toBe(0);
      return r.json.runs[0].outputs.find((o: { nodeId: string }) => o.nodeId === 'save').files[0] as string;
    };
    const [a, b] = [run('cn-a'), run('cn-b')];
    const meta = await sharp(a).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 64, 64]);
    expect(fs.readFileSync(b).equals(fs.readFileSync(a))).toBe(true);
    const other = run('cn-c', '--set', 'sampler.seed=43');
    const raw = async (f: string) => (await sharp(f).raw().toBuffer());
    expect((await raw(other)).equals(await raw(a))).toBe(false);
  }, 300_000);

  it('runs the image-ops example and writes a PNG with the expected pixels', async () => {
    const out = path.join(tmp, 'ops');
    const r = cli('run', 'workflows/image-ops.json', '--json', '--out', out);
    expect(r.code).toBe(0);
    expect(r.json.status).toBe('succeeded');
    const [run] = r.json.runs;
    expect(run.nodes.map((n: { id: string }) => n.id)).toEqual(['background', 'square', 'image', 'place', 'stamp', 'resize', 'save']);
    const file = run.outputs[0].files[0];
    const meta = await sharp(file).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 512, 512]);
    // Centre: the red square (#e02020); border: the blue background (#2040c0).
    expect(await pixel(file, 256, 256)).toEqual([0xe0, 0x20, 0x20]);
    expect(await pixel(file, 500, 500)).toEqual([0x20, 0x40, 0xc0]);
    // Top-left: the checkerboard stamped at 50 % over blue: white cell -> (blue+255)/2, black -> blue/2.
    const half = (bg: number[], v: number) => bg.map((c) => c + (v - c) * 0.5);
    expectClose(await pixel(file, 20, 4), half([0x20, 0x40, 0xc0], 255));
    expectClose(await pixel(file, 4, 4), half([0x20, 0x40, 0xc0], 0));
    // The stamp covers 64x64 source pixels = 128x128 after the 2x nearest resize.
    expect(await pixel(file, 130, 4)).toEqual([0x20, 0x40, 0xc0]);
  });

  it('--set changes a param and --repeat shows the cache on later runs', async () => {
    const out = path.join(tmp, 'repeat');
    const r = cli('run', 'workflows/image-ops.json', '--set', 'square.color=#00ff00', '--repeat', '2', '--json', '--out', out);
    expect(r.code).toBe(0);
    expect(r.json.runs).toHaveLength(2);
    expect(r.json.runs[0].nodes.every((n: { cached: boolean }) => !n.cached)).toBe(true);
    expect(r.json.runs[1].nodes.every((n: { cached: boolean }) => n.cached)).toBe(true);
    expect(await pixel(r.json.runs[1].outputs[0].files[0], 256, 256)).toEqual([0, 255, 0]);
  });

  it('runs a graph with reroutes to the same pixels as without them', async () => {
    const plain = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'workflows/image-ops.json'), 'utf8'));
    // Every wire passes through a reroute dot (two, chained, on the first).
    const rerouted = structuredClone(plain);
    rerouted.edges = plain.edges.flatMap((e: { from: { node: string; output: string }; to: { node: string; input: string } }, i: number) => {
      const dot = `dot_${i}`;
      rerouted.nodes.push({ id: dot, type: 'reroute', typeVersion: 1, params: {} });
      const into = i === 0 ? [{ from: e.from, to: { node: 'dot_first', input: 'input' } }, { from: { node: 'dot_first', output: 'output' }, to: { node: dot, input: 'input' } }] : [{ from: e.from, to: { node: dot, input: 'input' } }];
      return [...into, { from: { node: dot, output: 'output' }, to: e.to }];
    });
    rerouted.nodes.push({ id: 'dot_first', type: 'reroute', typeVersion: 1, params: {} });
    const a = cli('run', writeGraph('plain.json', plain), '--json', '--out', path.join(tmp, 'plain'));
    const b = cli('run', writeGraph('rerouted.json', rerouted), '--json', '--out', path.join(tmp, 'rerouted'));
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(b.json.runs[0].nodes.map((n: { id: string }) => n.id)).toEqual(a.json.runs[0].nodes.map((n: { id: string }) => n.id));
    const raw = (file: string) => sharp(file).raw().toBuffer();
    expect((await raw(b.json.runs[0].outputs[0].files[0])).equals(await raw(a.json.runs[0].outputs[0].files[0]))).toBe(true);
  });

  it('prints every problem of an invalid graph and exits non-zero', () => {
    const g = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'workflows/image-ops.json'), 'utf8'));
    g.nodes.push({ id: 'mystery', type: 'warp_drive', params: {} });
    g.nodes[0].params.width = -5;
    g.edges = g.edges.filter((e: { to: { node: string } }) => e.to.node !== 'save');
    g.edges.push({ from: { node: 'resize', output: 'image' }, to: { node: 'place', input: 'base' } });
    const r = cli('run', writeGraph('bad.json', g), '--json');
    expect(r.code).toBe(1);
    expect(r.json.status).toBe('invalid');
    const codes = r.json.problems.map((p: { code: string; nodeId?: string }) => `${p.code}:${p.nodeId}`).sort();
    expect(codes).toEqual(expect.arrayContaining(['unknown_node_type:mystery', 'param_invalid:background', 'duplicate_input_edge:place', 'missing_input:save']));
    expect(r.stderr).toContain('error unknown_node_type [mystery]');
  });

  it('reports invalid JSON, a missing file and a bad --set as typed errors', () => {
    const bad = cli('run', writeGraph('broken.json', '{"nodes": [}'), '--json');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('invalid_json');
    const missing = cli('run', path.join(tmp, 'nope.json'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read workflow');
    const set = cli('run', 'workflows/image-ops.json', '--set', 'square.colour=#fff');
    expect(set.code).toBe(2);
    expect(set.stderr).toContain('has no param "colour"; params: width, height, color');
  });

  it('a 10 000-node cyclic graph is rejected without a stack overflow', () => {
    const N = 10_000;
    const nodes = Array.from({ length: N }, (_, i) => ({ id: `r${i}`, type: 'resize', params: {} }));
    const edges = nodes.map((_, i) => ({ from: { node: `r${i}`, output: 'image' }, to: { node: `r${(i + 1) % N}`, input: 'image' } }));
    nodes.push({ id: 'save', type: 'save_image', params: {} });
    edges.push({ from: { node: 'r0', output: 'image' }, to: { node: 'save', input: 'images' } });
    const r = cli('validate', writeGraph('cycle.json', { nodes, edges }), '--json');
    expect(r.code).toBe(1);
    const cyc = r.json.problems.filter((p: { code: string }) => p.code === 'cycle');
    // Every ring node, plus the Save Image that depends on the ring.
    expect(cyc).toHaveLength(N + 1);
    expect(cyc.at(-1).nodeId).toBe('save');
  });
});
