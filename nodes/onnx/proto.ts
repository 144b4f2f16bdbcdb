// The ONNX protobuf messages (onnx-proto) and the element-type table shared by builder and model editing.
import onnxProto from 'onnx-proto';

export const onnx = onnxProto.onnx;
export type ModelProto = onnxProto.onnx.ModelProto;
export type TensorProto = onnxProto.onnx.TensorProto;
export type ITensorProto = onnxProto.onnx.ITensorProto;
export type INodeProto = onnxProto.onnx.INodeProto;
export type IValueInfoProto = onnxProto.onnx.IValueInfoProto;
export type IAttributeProto = onnxProto.onnx.IAttributeProto;

export type ElemType =
  | 'float32' | 'float16' | 'bfloat16' | 'float64'
  | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'int64' | 'uint32' | 'uint64' | 'bool';

export type TensorData =
  | Float32Array | Float64Array | Uint16Array | Int8Array | Uint8Array | Int16Array
  | Int32Array | BigInt64Array | Uint32Array | BigUint64Array;

/** TensorProto.DataType numbers (onnx.proto) and bytes per element. */
export const ELEM_TYPES: Record<ElemType, { code: number; bytes: number }> = {
  float32: { code: 1, bytes: 4 },
  uint8: { code: 2, bytes: 1 },
  int8: { code: 3, bytes: 1 },
  uint16: { code: 4, bytes: 2 },
  int16: { code: 5, bytes: 2 },
  int32: { code: 6, bytes: 4 },
  int64: { code: 7, bytes: 8 },
  bool: { code: 9, bytes: 1 },
  float16: { code: 10, bytes: 2 },
  float64: { code: 11, bytes: 8 },
  uint32: { code: 12, bytes: 4 },
  uint64: { code: 13, bytes: 8 },
  bfloat16: { code: 16, bytes: 2 },
};

export function elemTypeOfCode(code: number): ElemType | undefined {
  for (const [name, t] of Object.entries(ELEM_TYPES)) if (t.code === code) return name as ElemType;
  return undefined;
}

/** The element type a typed array stands for when the caller does not say (Uint16Array means float16). */
export function elemTypeOfData(data: TensorData): ElemType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Uint16Array) return 'float16';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof BigUint64Array) return 'uint64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Uint32Array) return 'uint32';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Int8Array) return 'int8';
  return 'uint8';
}

/** protobufjs decodes int64 fields as Long objects; the model sizes we handle fit in a double. */
export function toNumber(v: number | { toNumber(): number } | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

/** Little-endian bytes of a typed array (the host is little-endian, as ONNX raw_data requires). */
export function bytesOf(data: TensorData): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
