// Rewriting an existing graph node by node: fresh tensor/node names, initializers and nodes added in
// topological order. The float16 converter and the quantiser build their replacement nodes with it.
import { tensorProto } from '../builder';
import { onnx, type ElemType, type IAttributeProto, type INodeProto, type ModelProto, type TensorData } from '../proto';
import { readModel, writeModel } from '../model-io';

const ATTR = onnx.AttributeProto.AttributeType;

export const intAttr = (name: string, i: number): IAttributeProto => ({ name, type: ATTR.INT, i });

export class GraphEdit {
  readonly #names = new Set<string>();
  /** The rewritten node list; callers push nodes in the order they must run. */
  readonly nodes: INodeProto[] = [];

  /** Works on a deep copy: the caller's model is never changed. */
  readonly model: ModelProto;

  constructor(source: ModelProto) {
    this.model = readModel(writeModel(source));
    const g = this.model.graph!;
    g.initializer ??= [];
    for (const t of g.initializer) this.#names.add(t.name ?? '');
    for (const v of [...(g.input ?? []), ...(g.output ?? [])]) this.#names.add(v.name ?? '');
    for (const n of g.node ?? []) {
      this.#names.add(n.name ?? '');
      for (const o of n.output ?? []) this.#names.add(o);
    }
  }

  get originalNodes(): INodeProto[] {
    return this.model.graph?.node ?? [];
  }

  /** `base`, or `base_1`, `base_2`... whichever no tensor or node uses yet. */
  fresh(base: string): string {
    let name = base;
    for (let i = 1; this.#names.has(name); i++) name = `${base}_${i}`;
    this.#names.add(name);
    return name;
  }

  initializer(base: string, data: TensorData, dims: readonly number[], type?: ElemType): string {
    const name = this.fresh(base);
    this.model.graph!.initializer!.push(tensorProto(name, data, dims, type));
    return name;
  }

  /** Appends a node and returns its first output's name. */
  add(opType: string, inputs: readonly string[], opts: { name: string; outputs?: readonly string[]; outputCount?: number; attrs?: IAttributeProto[] }): string[] {
    const name = this.fresh(opts.name);
    const outputs = opts.outputs ? [...opts.outputs] : Array.from({ length: opts.outputCount ?? 1 }, (_, i) => this.fresh(`${name}_output_${i}`));
    this.nodes.push({ name, opType, domain: '', input: [...inputs], output: outputs, attribute: opts.attrs ?? [] });
    return outputs;
  }

  /** The edited model: rewritten nodes, initializers nobody reads any more dropped. */
  finish(): ModelProto {
    const g = this.model.graph!;
    g.node = this.nodes;
    const used = new Set([...this.nodes.flatMap((n) => n.input ?? []), ...(g.output ?? []).map((o) => o.name ?? '')]);
    g.initializer = (g.initializer ?? []).filter((t) => used.has(t.name ?? ''));
    return this.model;
  }
}
