// Params fed by primitive nodes: values land in the consumers' params, wrong types and out-of-range values are
// refused naming node and param, and the graph runs and caches as the graph with the values typed in.
import { describe, expect, it } from 'vitest';
import { getCatalog, registry } from '../registry';
import { Executor } from './executor';
import { PRIMITIVE_TYPES, PRIMITIVE_VALUE, resolveParamInputs } from './param-inputs';
import { checkConnection, validateGraph } from './validate';
import { embedGraph } from '../interop/png-graph';
import type { Graph, GraphNode } from './graph';
import type { OnnxRuntime } from '../runtime/onnx';
import { ModelStore } from '../runtime/models';
import { InputStore } from '../runtime/inputs';

const catalog = new Map(getCatalog().map((c) => [c.type, c]));
const node = (id: string, type: string, params: Record<string, unknown> = {}, extra: Partial<GraphNode> = {}) =>
  ({ id, type, typeVersion: 1, params, ...extra });
const edge = (from: string, output: string, to: string, input: string) => ({ from: { node: from, output }, to: { node: to, input } });

/** Two fills saved; with `size`, one Int primitive gives both their width (the fills' own widths say otherwise). */
function fillGraph(size?: number): Graph {
  const fills = size === undefined
    ? [node('a', 'solid_color', { width: 24, height: 16, color: '#204080' }), node('b', 'solid_color', { width: 24, height: 8, color: '#e0c020' })]
    : [
      node('a', 'solid_color', { width: 99, height: 16, color: '#204080' }, { paramInputs: ['width'] }),
      node('b', 'solid_color', { width: 77, height: 8, color: '#e0c020' }, { paramInputs: ['width'] }),
    ];
  const nodes = [...fills, node('save_a', 'save_image', { filename_prefix: 'a' }), node('save_b', 'save_image', { filename_prefix: 'b' })];
  const edges = [edge('a', 'image', 'save_a', 'images'), edge('b', 'image', 'save_b', 'images')];
  if (size === undefined) return { version: 1, nodes, edges };
  return {
    version: 1,
    nodes: [node('size', 'primitive_int', { value: size }), ...nodes],
    edges: [edge('size', 'value', 'a', 'width'), edge('size', 'value', 'b', 'width'), ...edges],
  };
}

const executor = () => new Executor({ runtime: { ortMs: 0 } as OnnxRuntime, models: new ModelStore('/nonexistent'), inputs: new InputStore([]) });
const problems = (g: Graph, targets?: string[]) => validateGraph(g, { catalog, targets }).problems.map((p) => [p.code, p.nodeId, p.param, p.message]);

describe('resolveParamInputs', () => {
  it('writes the primitive\'s value into every param it feeds and drops the primitive, its wires and paramInputs', () => {
    const { graph, problems: found, unfed } = resolveParamInputs(fillGraph(24), catalog);
    expect(found).toEqual([]);
    expect(unfed).toEqual([]);
    // The widths were 99 and 77 in the nodes: resolved, the graph is the one with 24 typed into both.
    expect(graph).toEqual(fillGraph(undefined));
  });

  it('every primitive type is registered with one param and one output named "value"', () => {
    for (const type of PRIMITIVE_TYPES) {
      const def = registry.get(type);
      expect(def, type).toBeDefined();
      expect(Object.keys(def!.params)).toEqual([PRIMITIVE_VALUE]);
      expect(Object.keys(def!.outputs)).toEqual([PRIMITIVE_VALUE]);
      expect(def!.output ?? false).toBe(false);
    }
  });

  it('no node has a param named like one of its inputs (a wire to that name must mean one thing)', () => {
    for (const c of getCatalog()) {
      const inputs = new Set(c.inputs.map((i) => i.name));
      expect(c.params.filter((p) => inputs.has(p.name)).map((p) => p.name), c.type).toEqual([]);
    }
  });
});

describe('validation of params fed by wires', () => {
  it('an out-of-range value is refused on the consumer, naming node, param and the primitive', () => {
    expect(problems(fillGraph(0))).toEqual([
      ['param_invalid', 'a', 'width', 'node "a" param "width": Too small: expected number to be >=1 (got 0 from node "size" (Int))'],
      ['param_invalid', 'b', 'width', 'node "b" param "width": Too small: expected number to be >=1 (got 0 from node "size" (Int))'],
    ]);
  });

  it('a primitive of the wrong type, and a wire from a node that is not a primitive, are type mismatches', () => {
    const g = fillGraph(24);
    const text = {
      ...g,
      nodes: [...g.nodes, node('words', 'primitive_text', { value: 'wide' })],
      edges: g.edges.map((e) => (e.to.node === 'b' ? edge('words', 'value', 'b', 'width') : e)),
    };
    expect(problems(text)).toEqual([
      ['type_mismatch', 'b', 'width', 'STRING output of node "words" (Text) cannot feed param "width" of node "b" (Solid Colour), which takes INT'],
    ]);
    const fromFill = { ...g, edges: g.edges.map((e) => (e.to.node === 'b' ? edge('a', 'image', 'b', 'width') : e)) };
    expect(problems(fromFill)).toEqual([
      ['type_mismatch', 'b', 'width', 'param "width" of node "b" (Solid Colour) can only be fed by a primitive node (Int, Float, Text, Seed); node "a" is a Solid Colour'],
    ]);
    // The editor refuses the same wires before they are drawn; an Int into an int param is fine.
    const unwired = { nodes: text.nodes, edges: g.edges.filter((e) => e.to.node !== 'b') };
    expect(checkConnection(catalog, unwired, edge('words', 'value', 'b', 'width')).ok).toBe(false);
    expect(checkConnection(catalog, unwired, edge('size', 'value', 'b', 'width')).ok).toBe(true);
    expect(checkConnection(catalog, unwired, edge('words', 'value', 'b', 'color')).ok).toBe(true);
  });

  it('a primitive wired to a real input socket, a converted param with no wire, and a primitive as run target', () => {
    const g = fillGraph(24);
    const intoSocket = { ...g, edges: [...g.edges.filter((e) => e.to.node !== 'save_b'), edge('size', 'value', 'save_b', 'images')] };
    expect(problems(intoSocket).map((p) => p.slice(0, 2))).toEqual([['type_mismatch', 'save_b'], ['missing_input', 'save_b']]);
    const unwired = { ...g, edges: g.edges.filter((e) => e.to.node !== 'a') };
    expect(problems(unwired)).toEqual([[
      'missing_input', 'a', 'width',
      'node "a" param "width" is converted to an input but no wire feeds it: connect a primitive node or convert it back to a widget',
    ]]);
    expect(problems(g, ['size'])).toEqual([['unknown_node', 'size', undefined, 'node "size" is a primitive value: run to a node it feeds']]);
  });

  it('a wire through a reroute feeds the param; a bypassed primitive passes nothing', () => {
    const g = fillGraph(24);
    const rerouted = {
      ...g,
      nodes: [...g.nodes, node('dot', 'reroute')],
      edges: [...g.edges.filter((e) => e.to.node !== 'b'), edge('size', 'value', 'dot', 'input'), edge('dot', 'output', 'b', 'width')],
    };
    const v = validateGraph(rerouted, { catalog });
    expect(v.ok && v.runGraph.nodes.find((n) => n.id === 'b')?.params.width).toBe(24);
    const bypassed = { ...g, nodes: g.nodes.map((n) => (n.id === 'size' ? { ...n, mode: 'bypass' as const } : n)) };
    expect(problems(bypassed).map((p) => p.slice(0, 3))).toEqual([['missing_input', 'a', 'width'], ['missing_input', 'b', 'width']]);
  });
});

describe('running params fed by a primitive', () => {
  it('runs as the graph with the value typed in: same sizes, same cache keys, same PNG bytes', async () => {
    const typed = await executor().run(fillGraph(undefined), { runId: 'typed' });
    const wired = await executor().run(fillGraph(24), { runId: 'wired' });
    expect(typed.status).toBe('succeeded');
    expect(wired.status).toBe('succeeded');
    // Both fills took the primitive's 24, not their own 99 and 77.
    expect(wired.artifacts.map((a) => [a.nodeId, a.width, a.height])).toEqual([['save_a', 24, 16], ['save_b', 24, 8]]);
    for (const [i, a] of wired.artifacts.entries()) {
      expect(Buffer.from(embedGraph(a.bytes, fillGraph(undefined)))).toEqual(Buffer.from(typed.artifacts[i].bytes));
    }
    const ex = executor();
    await ex.run(fillGraph(undefined), { runId: 'first' });
    const again = await ex.run(fillGraph(24), { runId: 'second' });
    expect(again.nodes.map((n) => [n.id, n.cached])).toEqual(typed.nodes.map((n) => [n.id, true]));
  });
});
