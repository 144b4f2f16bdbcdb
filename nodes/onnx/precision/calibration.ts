// Activation ranges for static quantisation: the graph with every float tensor exposed as an output (run it
// on a few representative inputs), and min/max accumulated over those runs, rounded outward to a coarse grid
// so that last-bit differences between CPUs (AVX2 vs AVX-512 sums) do not change the quantised model's bytes.
import { ELEM_TYPES, type ModelProto } from '../proto';
import { readModel, writeModel } from '../model-io';
import { elementTypes } from './element-types';

export interface TensorRange {
  min: number;
  max: number;
}

/** A copy of `model` whose outputs also include every float32 tensor that a node produces. */
export function withTensorOutputs(model: ModelProto): { model: ModelProto; tensors: string[] } {
  const copy = readModel(writeModel(model));
  const g = copy.graph!;
  const types = elementTypes(model);
  const declared = new Set((g.output ?? []).map((o) => o.name ?? ''));
  const tensors: string[] = [];
  for (const n of g.node ?? []) {
    for (const o of n.output ?? []) {
      if (!o || types.get(o) !== 'float32') continue;
      tensors.push(o);
      if (!declared.has(o)) g.output!.push({ name: o, type: { tensorType: { elemType: ELEM_TYPES.float32.code } } });
    }
  }
  return { model: copy, tensors };
}

/** 1/32 of the value's power of two: coarse enough to absorb float noise, fine enough to cost < 3% of range. */
function outward(v: number, up: boolean): number {
  if (v === 0 || !Number.isFinite(v)) return v;
  const step = 2 ** (Math.floor(Math.log2(Math.abs(v))) - 5);
  return (up ? Math.ceil(v / step) : Math.floor(v / step)) * step;
}

/** Accumulates min/max per tensor over calibration runs. */
export class RangeCollector {
  readonly #ranges = new Map<string, TensorRange>();

  add(name: string, data: ArrayLike<number>): void {
    let min = Infinity, max = -Infinity;
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const r = this.#ranges.get(name);
    this.#ranges.set(name, r ? { min: Math.min(r.min, min), max: Math.max(r.max, max) } : { min, max });
  }

  /** Ranges rounded outward; every range includes 0 (the uint8 zero point must represent it exactly). */
  ranges(): Map<string, TensorRange> {
    return new Map([...this.#ranges].map(([name, r]) => [name, { min: outward(Math.min(0, r.min), false), max: outward(Math.max(0, r.max), true) }]));
  }
}
