// Layers of the tiny SD-shaped models, named the way torch.onnx / Optimum exports of diffusers and
// transformers name them: node `/down_blocks.0/attentions.0/transformer_blocks.0/attn1/to_q/MatMul`, weights
// either anonymous (`onnx::MatMul_9001`, the transposed copy the exporter folds) or by module path
// (`conv_in.weight`). Every linear and conv layer is recorded so the tiny LoRA can target all of them.
import { attr, GraphBuilder, type GraphValue } from '../../onnx/builder';

/** A module a LoRA can patch, in torch's terms. */
export interface LoraModuleSpec {
  /** Dotted torch module path, e.g. `down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q`. */
  path: string;
  inFeatures: number;
  outFeatures: number;
  /** Conv kernel [kh, kw]; undefined for linear layers. */
  kernel?: [number, number];
}

/** mulberry32: integer-only, so the weights are the same bits on every machine. */
export class WeightRandom {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** Uniform in [-1, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 2 ** 31) - 1;
  }

  /** `n` values uniform in [-scale, scale). */
  values(n: number, scale: number): Float32Array {
    return Float32Array.from({ length: n }, () => this.next() * scale);
  }
}

/** `a.b.0.c` -> `/a/b.0/c`: list indices stay attached to their container, as in export node names. */
export function nodeScope(path: string): string {
  const out: string[] = [];
  for (const part of path.split('.')) {
    if (/^\d+$/.test(part) && out.length) out[out.length - 1] += `.${part}`;
    else out.push(part);
  }
  return `/${out.join('/')}`;
}

export class TinyLayers {
  readonly modules: LoraModuleSpec[] = [];
  #anonymous = 9000;

  constructor(readonly g: GraphBuilder, readonly rng: WeightRandom) {}

  #weight(fanIn: number, n: number): Float32Array {
    return this.rng.values(n, Math.sqrt(3 / fanIn));
  }

  /** x[..., in] -> [..., out]: MatMul with a [in, out] weight (anonymous unless `named`), plus an Add bias. */
  linear(path: string, x: GraphValue, inF: number, outF: number, opts: { bias?: boolean; named?: boolean } = {}): GraphValue {
    const scope = nodeScope(path);
    const name = opts.named ? `${path}.weight` : `onnx::MatMul_${this.#anonymous++}`;
    const w = this.g.initializer(name, this.#weight(inF, inF * outF), [inF, outF]);
    let y = this.g.op('MatMul', [x, w], { name: `${scope}/MatMul` });
    if (opts.bias !== false) y = this.g.op('Add', [y, this.g.initializer(`${path}.bias`, this.rng.values(outF, 0.02), [outF])], { name: `${scope}/Add` });
    this.modules.push({ path, inFeatures: inF, outFeatures: outF });
    return y;
  }

  /** x[B, in] -> [B, out] as a Gemm: transB=1 keeps torch's named [out, in] weight, transB=0 an anonymous [in, out]. */
  gemm(path: string, x: GraphValue, inF: number, outF: number, transB: 0 | 1): GraphValue {
    const w = transB
      ? this.g.initializer(`${path}.weight`, this.#weight(inF, inF * outF), [outF, inF])
      : this.g.initializer(`onnx::Gemm_${this.#anonymous++}`, this.#weight(inF, inF * outF), [inF, outF]);
    const b = this.g.initializer(`${path}.bias`, this.rng.values(outF, 0.02), [outF]);
    this.modules.push({ path, inFeatures: inF, outFeatures: outF });
    return this.g.op('Gemm', [x, w, b], { name: `${nodeScope(path)}/Gemm`, attrs: { transB, alpha: attr.float(1), beta: attr.float(1) } });
  }

  /** NCHW convolution with torch's named [out, in, k, k] weight and bias. */
  conv(path: string, x: GraphValue, inC: number, outC: number, k: 1 | 3, opts: { stride?: number } = {}): GraphValue {
    const pad = (k - 1) / 2;
    const stride = opts.stride ?? 1;
    const w = this.g.initializer(`${path}.weight`, this.#weight(inC * k * k, outC * inC * k * k), [outC, inC, k, k]);
    const b = this.g.initializer(`${path}.bias`, this.rng.values(outC, 0.02), [outC]);
    this.modules.push({ path, inFeatures: inC, outFeatures: outC, kernel: [k, k] });
    return this.g.op('Conv', [x, w, b], {
      name: `${nodeScope(path)}/Conv`, attrs: { kernel_shape: [k, k], pads: [pad, pad, pad, pad], strides: [stride, stride] },
    });
  }

  /** Scale 1 and shift 0, as torch initialises them, unless `random` (scale in [0.5, 1.5), shift in [-0.1, 0.1)). */
  layerNorm(path: string, x: GraphValue, dim: number, opts: { random?: boolean } = {}): GraphValue {
    const scale = this.g.initializer(`${path}.weight`, opts.random ? Float32Array.from(this.rng.values(dim, 0.5), (v) => 1 + v) : Float32Array.from({ length: dim }, () => 1), [dim]);
    const bias = this.g.initializer(`${path}.bias`, opts.random ? this.rng.values(dim, 0.1) : new Float32Array(dim), [dim]);
    return this.g.op('LayerNormalization', [x, scale, bias], { name: `${nodeScope(path)}/LayerNormalization`, attrs: { axis: -1, epsilon: attr.float(1e-5) } });
  }

  silu(scope: string, x: GraphValue): GraphValue {
    return this.g.op('Mul', [x, this.g.op('Sigmoid', [x], { name: `${scope}/Sigmoid` })], { name: `${scope}/Mul` });
  }

  /** Single-head scaled dot-product attention: softmax(q kᵀ / sqrt(d) + mask) v over [B, N, d]. */
  attention(scope: string, q: GraphValue, k: GraphValue, v: GraphValue, dim: number, mask?: GraphValue): GraphValue {
    const kt = this.g.op('Transpose', [k], { name: `${scope}/Transpose`, attrs: { perm: [0, 2, 1] } });
    let scores = this.g.op('Mul', [this.g.op('MatMul', [q, kt], { name: `${scope}/MatMul` }), this.g.scalar(1 / Math.sqrt(dim))], { name: `${scope}/Mul` });
    if (mask) scores = this.g.op('Add', [scores, mask], { name: `${scope}/Add` });
    const probs = this.g.op('Softmax', [scores], { name: `${scope}/Softmax`, attrs: { axis: -1 } });
    return this.g.op('MatMul', [probs, v], { name: `${scope}/MatMul_1` });
  }
}
