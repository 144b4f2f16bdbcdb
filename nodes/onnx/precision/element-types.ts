// The element type of every tensor in a graph, followed from the inputs and initializers through each op's
// typing rule: precision rewrites must know which tensors are float32 before they turn them into something else.
import { elemTypeOfCode, type ElemType, type INodeProto, type ModelProto } from '../proto';

/** A graph the precision tools cannot handle; `subject` names the node or tensor, e.g. `node "/conv/Conv"`. */
export class PrecisionError extends Error {
  readonly code = 'onnx_precision';
  constructor(readonly subject: string, message: string) {
    super(`${subject}: ${message}`);
    this.name = 'PrecisionError';
  }
}

const INT64_OUT = new Set(['Shape', 'Size', 'NonZero', 'ArgMax', 'ArgMin']);
const BOOL_OUT = new Set(['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'Not', 'And', 'Or', 'Xor', 'IsNaN', 'IsInf']);
/** Ops with a second output of indices (int64) next to values of the input's type. */
const INDICES_SECOND = new Set(['TopK', 'MaxPool']);

function attrTensorType(node: INodeProto, name: string): ElemType | undefined {
  const t = node.attribute?.find((a) => a.name === name)?.t;
  return t ? elemTypeOfCode(t.dataType ?? 0) : undefined;
}

/** Output element types of one node, given its inputs' types. */
function outputTypes(node: INodeProto, typeOf: (name: string) => ElemType | undefined): (ElemType | undefined)[] {
  const op = node.opType ?? '';
  const outs = node.output ?? [];
  const inputs = (node.input ?? []).map((n) => (n ? typeOf(n) : undefined));
  const first = inputs.find((t) => t !== undefined);
  const all = (t: ElemType | undefined) => outs.map(() => t);
  if (node.domain && node.domain !== 'ai.onnx') {
    throw new PrecisionError(`node "${node.name ?? op}"`, `${node.domain}.${op} is outside the ONNX domain; its output types are unknown to the precision tools`);
  }
  if ((node.attribute ?? []).some((a) => a.g || (a.graphs?.length ?? 0) > 0)) {
    throw new PrecisionError(`node "${node.name ?? op}"`, `${op} has a subgraph; control flow is not supported by the precision tools`);
  }
  if (INT64_OUT.has(op)) return all('int64');
  if (BOOL_OUT.has(op)) return all('bool');
  switch (op) {
    case 'Cast': {
      const to = node.attribute?.find((a) => a.name === 'to')?.i;
      return all(elemTypeOfCode(Number(to ?? 0)));
    }
    case 'Constant': {
      const names = new Set((node.attribute ?? []).map((a) => a.name));
      if (names.has('value')) return all(attrTensorType(node, 'value'));
      if (names.has('value_float') || names.has('value_floats')) return all('float32');
      if (names.has('value_int') || names.has('value_ints')) return all('int64');
      return all(undefined);
    }
    case 'ConstantOfShape': return all(attrTensorType(node, 'value') ?? 'float32');
    case 'DynamicQuantizeLinear': return ['uint8', 'float32', 'uint8'];
    case 'QuantizeLinear': return all(inputs[2] ?? 'uint8');
    case 'DequantizeLinear': return all(inputs[1] ?? 'float32');
    case 'MatMulInteger':
    case 'ConvInteger': return all('int32');
    case 'Where': return all(inputs[1]);
    case 'LayerNormalization': return outs.map((_, i) => (i === 0 ? inputs[0] : 'float32'));
  }
  if (INDICES_SECOND.has(op)) return outs.map((_, i) => (i === 0 ? first : 'int64'));
  // Elementwise, shape and data-movement ops, Conv, MatMul, Gemm, Resize, Gather...: the data input's type.
  return all(first);
}

/** Element type per tensor name: graph inputs, initializers and every node output in graph order. */
export function elementTypes(model: ModelProto): Map<string, ElemType> {
  const types = new Map<string, ElemType>();
  const graph = model.graph;
  for (const t of graph?.initializer ?? []) {
    const type = elemTypeOfCode(t.dataType ?? 0);
    if (t.name && type) types.set(t.name, type);
  }
  for (const i of graph?.input ?? []) {
    const type = elemTypeOfCode(i.type?.tensorType?.elemType ?? 0);
    if (i.name && type && !types.has(i.name)) types.set(i.name, type);
  }
  for (const node of graph?.node ?? []) {
    const out = outputTypes(node, (n) => types.get(n));
    (node.output ?? []).forEach((name, i) => {
      if (name && out[i]) types.set(name, out[i]!);
    });
  }
  return types;
}
