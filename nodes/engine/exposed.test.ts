// Exposed inputs against the real catalog and the shipped text-to-image workflow.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { getCatalog } from '../registry';
import {
  applyExposedInputs, describeExposed, ExposedInputError, readExposed, resolveExposed, suggestExposedName, withExposed,
  type ExposedInput,
} from './exposed';
import { graphSchema, type Graph } from './graph';
import { validateGraph } from './validate';

const catalog = getCatalog();
const txt2img = graphSchema.parse(JSON.parse(fs.readFileSync(path.join(__dirname, '../../workflows/txt2img.json'), 'utf8')));

const EXPOSED: ExposedInput[] = [
  { name: 'prompt', node: 'positive', param: 'text' },
  { name: 'seed', node: 'sampler', param: 'seed' },
  { name: 'steps', node: 'sampler', param: 'steps' },
  { name: 'cfg', node: 'sampler', param: 'cfg' },
  { name: 'sampler_name', node: 'sampler', param: 'sampler' },
];

function graph(exposed: unknown = EXPOSED): Graph {
  return { ...txt2img, meta: { ...txt2img.meta, exposed } };
}

function caught(fn: () => unknown): ExposedInputError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ExposedInputError) return e;
    throw e;
  }
  throw new Error('expected an ExposedInputError');
}

const node = (g: Graph, id: string) => g.nodes.find((n) => n.id === id)!;

describe('readExposed', () => {
  it('reads the list, and none when meta has no exposed key', () => {
    expect(readExposed(graph())).toEqual(EXPOSED);
    expect(readExposed(txt2img)).toEqual([]);
    expect(readExposed({})).toEqual([]);
  });

  it('names the bad entry of a malformed list', () => {
    const badName = caught(() => readExposed(graph([{ name: '1st', node: 'sampler', param: 'seed' }])));
    expect(badName.code).toBe('invalid_exposed');
    expect(badName.message).toContain('meta.exposed[0].name');

    const dup = caught(() => readExposed(graph([EXPOSED[1], { name: 'seed', node: 'sampler', param: 'steps' }])));
    expect(dup.message).toContain('the name "seed" is used twice');
    const twice = caught(() => readExposed(graph([EXPOSED[1], { name: 'seed2', node: 'sampler', param: 'seed' }])));
    expect(twice.message).toContain('already exposed as "seed"');

    const many = Array.from({ length: 65 }, (_, i) => ({ name: `p${i}`, node: 'sampler', param: `x${i}` }));
    expect(caught(() => readExposed(graph(many))).message).toContain('at most 64');
    expect(caught(() => readExposed(graph('prompt'))).code).toBe('invalid_exposed');
  });
});

describe('describeExposed', () => {
  it('gives each input its node type, UI hint and the graph\'s current value as default', () => {
    const d = describeExposed(graph(), catalog);
    expect(d.map((e) => [e.name, e.nodeType, e.nodeTitle, e.ui.valueType, e.ui.widget, e.default])).toEqual([
      ['prompt', 'text_encoder', 'Text Encoder', 'string', 'textarea', 'red circle on blue background'],
      ['seed', 'sampler', 'Sampler', 'int', 'seed', 42],
      ['steps', 'sampler', 'Sampler', 'int', 'slider', 20],
      ['cfg', 'sampler', 'Sampler', 'float', 'slider', 7.5],
      ['sampler_name', 'sampler', 'Sampler', 'string', 'select', 'euler'],
    ]);
    expect(d[2].ui).toMatchObject({ min: 1, max: 1000 });
  });

  it('falls back to the param default when the graph leaves the param unset', () => {
    const d = describeExposed(graph([{ name: 'noise', node: 'sampler', param: 'noise' }]), catalog);
    expect(d[0].default).toBe('stepflow');
  });

  it('refuses entries pointing at a missing node or param, but resolveExposed keeps them with the reason', () => {
    const g = graph([{ name: 'prompt', node: 'gone', param: 'text' }, { name: 'x', node: 'sampler', param: 'nope' }]);
    const e = caught(() => describeExposed(g, catalog));
    expect(e.code).toBe('not_exposed_param');
    expect(e.problems.map((p) => [p.input, p.node, p.param])).toEqual([['prompt', 'gone', 'text'], ['x', 'sampler', 'nope']]);
    expect(e.problems[1].message).toContain('params: seed, steps, cfg');
    const r = resolveExposed(g, catalog);
    expect(r[0].problem).toContain('not in the graph');
    expect(r[1].ui).toBeNull();
  });
});

describe('applyExposedInputs', () => {
  it('sets the given params, keeps the rest and leaves the input graph untouched', () => {
    const g = graph();
    const out = applyExposedInputs(g, { prompt: 'green star on black background', seed: 7, cfg: 3 }, catalog);
    expect(node(out, 'positive').params.text).toBe('green star on black background');
    expect(node(out, 'sampler').params).toMatchObject({ seed: 7, cfg: 3, steps: 20, sampler: 'euler' });
    expect(node(out, 'negative').params.text).toBe('');
    expect(node(g, 'sampler').params.seed).toBe(42);
    expect(node(g, 'positive').params.text).toBe('red circle on blue background');
    expect(validateGraph(out, { catalog }).ok).toBe(true);
  });

  it('fixes the control of a set seed (a random control would otherwise replace it at enqueue)', () => {
    const g = graph();
    node(g, 'sampler').controls = { seed: 'random' };
    expect(node(applyExposedInputs(g, { seed: 123 }, catalog), 'sampler').controls).toEqual({ seed: 'fixed' });
    expect(node(applyExposedInputs(g, { steps: 4 }, catalog), 'sampler').controls).toEqual({ seed: 'random', steps: 'fixed' });
  });

  it('checks each value with the param\'s own schema and names input, node and param', () => {
    const e = caught(() => applyExposedInputs(graph(), { steps: 0, seed: 1.5, sampler_name: 'magic', prompt: 42 }, catalog));
    expect(e.code).toBe('invalid_value');
    expect(e.problems.map((p) => [p.input, p.node, p.param])).toEqual([
      ['prompt', 'positive', 'text'], ['seed', 'sampler', 'seed'], ['steps', 'sampler', 'steps'], ['sampler_name', 'sampler', 'sampler'],
    ]);
    expect(e.problems[2].message).toMatch(/^input "steps" \(node "sampler" param "steps"\): .*>=\s*1.* \(got 0\)$/);
    expect(e.problems[3].message).toContain('valid: euler');
    expect(caught(() => applyExposedInputs(graph(), { seed: -1 }, catalog)).problems[0].message).toContain('(got -1)');
    expect(caught(() => applyExposedInputs(graph(), { seed: '7' }, catalog)).code).toBe('invalid_value');
  });

  it('refuses unknown inputs, listing the valid names', () => {
    const e = caught(() => applyExposedInputs(graph(), { prompt: 'x', colour: 'red' }, catalog));
    expect(e.code).toBe('unknown_input');
    expect(e.problems).toHaveLength(1);
    expect(e.message).toBe('unknown input "colour"; this workflow\'s inputs: prompt, seed, steps, cfg, sampler_name');
    expect(caught(() => applyExposedInputs(txt2img, { seed: 1 }, catalog)).message).toContain('none (the owner has exposed no inputs)');
  });

  it('refuses a body that is not a JSON object', () => {
    for (const body of [null, [1], 'seed=7', 7]) {
      expect(caught(() => applyExposedInputs(graph(), body, catalog)).code).toBe('invalid_body');
    }
    expect(caught(() => applyExposedInputs(graph(), [], catalog)).message).toContain('not an array');
  });

  it('an empty body runs the graph as saved', () => {
    const out = applyExposedInputs(graph(), {}, catalog);
    expect(out.nodes).toEqual(graph().nodes);
  });
});

describe('editor helpers', () => {
  it('withExposed replaces the list and drops the key when empty', () => {
    const g = withExposed(txt2img, EXPOSED.slice(0, 1));
    expect(g.meta).toEqual({ ...txt2img.meta, exposed: EXPOSED.slice(0, 1) });
    expect(withExposed(g, []).meta).toEqual(txt2img.meta);
    expect(() => withExposed(txt2img, [EXPOSED[0], EXPOSED[0]])).toThrow(/used twice/);
  });

  it('suggests a valid, unused name', () => {
    expect(suggestExposedName('seed', [])).toBe('seed');
    expect(suggestExposedName('seed', ['seed', 'seed_2'])).toBe('seed_3');
    expect(suggestExposedName('2nd-pass', [])).toBe('_2nd_pass');
  });
});
