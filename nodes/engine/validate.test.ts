import { describe, expect, it } from 'vitest';
import { checkConnection, validateGraph, type GraphProblem } from './validate';
import { describeNode } from './catalog';
import { defineNode, param } from '../define';
import { getCatalog } from '../registry';

// Pure data nodes: validation never executes them.
const stub = async () => ({}) as never;
const loader = defineNode({
  type: 'loader', version: 2, title: 'Loader', category: 'loaders', description: '',
  inputs: {}, params: { ckpt: param.model('checkpoints', { default: 'sprites' }) },
  outputs: { model: { type: 'MODEL' }, vae: { type: 'VAE' } }, execute: stub,
});
const latent = defineNode({
  type: 'latent', version: 1, title: 'Empty Latent', category: 'latent', description: '',
  inputs: {}, params: { width: param.int({ default: 256, min: 64, max: 2048 }) },
  outputs: { latent: { type: 'LATENT' } }, execute: stub,
});
const sampler = defineNode({
  type: 'sampler', version: 1, title: 'Sampler', category: 'sampling', description: '',
  inputs: { model: { type: 'MODEL' }, latent: { type: 'LATENT' }, extra: { type: 'CONDITIONING', optional: true } },
  params: { steps: param.int({ default: 20, min: 1, max: 150 }), sampler: param.choice(['euler', 'ddim'], { default: 'euler' }) },
  outputs: { latent: { type: 'LATENT' } }, execute: stub,
});
const decode = defineNode({
  type: 'decode', version: 1, title: 'VAE Decode', category: 'latent', description: '',
  inputs: { vae: { type: 'VAE' }, latent: { type: 'LATENT' } }, params: {},
  outputs: { image: { type: 'IMAGE' } }, execute: stub,
});
const save = defineNode({
  type: 'save', version: 1, title: 'Save', category: 'image', description: '', output: true,
  inputs: { images: { type: 'IMAGE' } }, params: {}, outputs: {}, execute: stub,
});
const catalog = [loader, latent, sampler, decode, save].map(describeNode);

const e = (from: string, output: string, to: string, input: string) => ({ from: { node: from, output }, to: { node: to, input } });
const n = (id: string, type: string, params: Record<string, unknown> = {}) => ({ id, type, typeVersion: 1, params });

function good() {
  return {
    version: 1,
    nodes: [n('ckpt', 'loader'), n('lat', 'latent'), n('s', 'sampler'), n('d', 'decode'), n('out', 'save')],
    edges: [
      e('ckpt', 'model', 's', 'model'), e('lat', 'latent', 's', 'latent'),
      e('ckpt', 'vae', 'd', 'vae'), e('s', 'latent', 'd', 'latent'), e('d', 'image', 'out', 'images'),
    ],
  };
}

function problems(graph: unknown, extra: Partial<Parameters<typeof validateGraph>[1]> = {}): GraphProblem[] {
  const r = validateGraph(graph, { catalog, ...extra });
  return r.problems;
}

describe('validateGraph', () => {
  it('accepts a well-formed graph and fills defaults', () => {
    const r = validateGraph(good(), { catalog });
    expect(r.ok).toBe(true);
    expect(r.graph?.nodes[0].typeVersion).toBe(1);
  });

  it('invalid_json for text that is not JSON', () => {
    expect(problems('{"nodes": [')).toMatchObject([{ code: 'invalid_json' }]);
  });

  it('invalid_graph names the bad field', () => {
    const [p] = problems({ nodes: [{ id: 'a' }], edges: [] });
    expect(p.code).toBe('invalid_graph');
    expect(p.message).toContain('nodes.0.type');
  });

  it('unknown_node_type with the node id, including a newer version than known', () => {
    const g = good();
    g.nodes.push({ ...n('x', 'warp_drive') });
    g.nodes[0] = { ...g.nodes[0], typeVersion: 3 } as never;
    const ps = problems(g).filter((p) => p.code === 'unknown_node_type');
    expect(ps.map((p) => p.nodeId).sort()).toEqual(['ckpt', 'x']);
  });

  it('missing_input names node and input; optional inputs are not required', () => {
    const g = good();
    g.edges = g.edges.filter((x) => !(x.to.node === 's' && x.to.input === 'latent'));
    expect(problems(g)).toEqual([expect.objectContaining({ code: 'missing_input', nodeId: 's', input: 'latent' })]);
  });

  it('missing inputs of nodes that feed no output do not block a run', () => {
    const g = good();
    g.nodes.push(n('orphan', 'decode'));
    expect(validateGraph(g, { catalog }).ok).toBe(true);
  });

  it('type_mismatch on an edge', () => {
    const g = good();
    g.edges[1] = e('ckpt', 'vae', 's', 'latent');
    expect(problems(g)).toContainEqual(expect.objectContaining({ code: 'type_mismatch', nodeId: 's', input: 'latent' }));
  });

  it('duplicate_input_edge', () => {
    const g = good();
    g.nodes.push(n('lat2', 'latent'));
    g.edges.push(e('lat2', 'latent', 's', 'latent'));
    expect(problems(g)).toEqual([expect.objectContaining({ code: 'duplicate_input_edge', nodeId: 's', input: 'latent' })]);
  });

  it('cycle names the nodes involved', () => {
    const g = good();
    g.nodes.push(n('s2', 'sampler'));
    g.edges = g.edges.filter((x) => !(x.to.node === 's' && x.to.input === 'latent'));
    g.edges.push(e('s2', 'latent', 's', 'latent'), e('s', 'latent', 's2', 'latent'), e('ckpt', 'model', 's2', 'model'));
    const cyc = problems(g).filter((p) => p.code === 'cycle').map((p) => p.nodeId).sort();
    expect(cyc).toEqual(['d', 'out', 's', 's2']);
  });

  it('param_invalid for out-of-range, wrong type, not-in-list and unknown params', () => {
    const g = good();
    g.nodes[2] = n('s', 'sampler', { steps: 500, sampler: 'warp', cfg: 7 });
    g.nodes[1] = n('lat', 'latent', { width: 'wide' });
    const ps = problems(g).filter((p) => p.code === 'param_invalid');
    expect(ps.map((p) => `${p.nodeId}.${p.param}`).sort()).toEqual(['lat.width', 's.cfg', 's.sampler', 's.steps']);
    expect(ps.find((p) => p.param === 'sampler')!.message).toContain('valid: euler, ddim');
  });

  // Found by the fuzz (fuzz.test.ts, server/reliability/fuzz-server.test.ts): graphs arrive through superjson,
  // which carries bigint and circular values. Quoting one in a message threw, and one in meta passed the format
  // check and then threw at JSON.stringify when the run was stored: a 500 instead of a problem.
  it('a bigint or circular value anywhere in params or meta is invalid_graph naming where', () => {
    const g: Record<string, unknown> & ReturnType<typeof good> = good();
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    g.nodes[2] = n('s', 'sampler', { steps: 20n, sampler: circular });
    g.meta = { note: [1n] };
    const ps = problems(g);
    expect(ps.map((p) => p.code)).toEqual(['invalid_graph', 'invalid_graph', 'invalid_graph']);
    expect(ps.map((p) => p.message.split(':')[0]).sort()).toEqual(['meta.note', 'nodes.2.params.sampler', 'nodes.2.params.steps']);
    expect(ps.find((p) => p.message.startsWith('nodes.2.params.steps'))!.message).toBe('nodes.2.params.steps: must be plain JSON (Do not know how to serialize a BigInt)');
  });

  it('param_invalid quotes a huge value cut short', () => {
    const g = good();
    g.nodes[1] = n('lat', 'latent', { width: 'w'.repeat(100_000) });
    const [p] = problems(g);
    expect(p).toMatchObject({ code: 'param_invalid', nodeId: 'lat', param: 'width' });
    expect(p.message).toBe(`node "lat" param "width": Invalid input: expected number, received string (got "${'w'.repeat(119)}…)`);
  });

  it('unknown_model for missing files and for names that leave the models folder', () => {
    const models = { exists: (_k: string, name: string) => name === 'sprites' };
    const g = good();
    expect(validateGraph(g, { catalog, models }).ok).toBe(true);
    g.nodes[0] = n('ckpt', 'loader', { ckpt: 'sd15' });
    expect(problems(g, { models })).toEqual([expect.objectContaining({ code: 'unknown_model', nodeId: 'ckpt', param: 'ckpt' })]);
    g.nodes[0] = n('ckpt', 'loader', { ckpt: '../../etc/passwd' });
    // Rejected even without a model store: the name itself is unsafe.
    expect(problems(g)).toEqual([expect.objectContaining({ code: 'unknown_model', nodeId: 'ckpt' })]);
  });

  it('no_output when nothing is an output and no target is given', () => {
    const g = good();
    g.nodes.pop();
    g.edges.pop();
    expect(problems(g)).toEqual([expect.objectContaining({ code: 'no_output' })]);
    expect(validateGraph(g, { catalog, targets: ['d'] }).ok).toBe(true);
  });

  it('reports all problems at once', () => {
    const g = good();
    g.nodes.push(n('x', 'nope'));
    g.nodes[2] = n('s', 'sampler', { steps: 0 });
    g.edges[1] = e('ckpt', 'vae', 's', 'latent');
    const codes = problems(g).map((p) => p.code).sort();
    expect(codes).toEqual(['param_invalid', 'type_mismatch', 'unknown_node_type']);
  });

  it('unknown_node and unknown_socket on bad edges', () => {
    const g = good();
    g.edges.push(e('ghost', 'latent', 'd', 'latent'));
    g.edges.push(e('lat', 'lat', 'd', 'latent'));
    const codes = problems(g).map((p) => p.code).sort();
    expect(codes).toContain('unknown_node');
    expect(codes).toContain('unknown_socket');
  });

  it('a 10 000-node cyclic graph gives cycle problems, not a stack overflow', () => {
    const N = 10_000;
    const nodes = Array.from({ length: N }, (_, i) => n(`s${i}`, 'sampler'));
    const edges = nodes.map((_, i) => e(`s${i}`, 'latent', `s${(i + 1) % N}`, 'latent'));
    const ps = problems({ nodes: [...nodes, n('out', 'save')], edges }).filter((p) => p.code === 'cycle');
    expect(ps).toHaveLength(N);
  });
});

describe('checkConnection', () => {
  it('refuses a type mismatch with a readable reason', () => {
    const r = checkConnection(catalog, good(), e('ckpt', 'vae', 's', 'latent'));
    expect(r).toEqual({ ok: false, reason: 'VAE output "vae" of Loader cannot connect to LATENT input "latent" of Sampler' });
  });
  it('refuses a connection that closes a cycle but allows replacing an input', () => {
    const g = good();
    g.nodes.push(n('s2', 'sampler'));
    g.edges.push(e('s', 'latent', 's2', 'latent'));
    expect(checkConnection(catalog, g, e('s2', 'latent', 's', 'latent'))).toEqual({ ok: false, reason: 'this connection would create a cycle' });
    expect(checkConnection(catalog, good(), e('lat', 'latent', 's', 'latent'))).toEqual({ ok: true });
  });
});

describe('registry catalog', () => {
  it('is serialisable and names every param widget', () => {
    const cat = getCatalog();
    const round = JSON.parse(JSON.stringify(cat));
    expect(round).toEqual(cat);
    const resize = cat.find((c) => c.type === 'resize')!;
    expect(resize.params.find((p) => p.name === 'kernel')!.ui).toMatchObject({ widget: 'select', choices: expect.arrayContaining(['nearest', 'lanczos3']) });
    expect(cat.find((c) => c.type === 'save_image')!.output).toBe(true);
  });
});
