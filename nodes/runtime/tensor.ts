// Plain NCHW float tensors: the currency between nodes (images, latents, conditioning).
export interface Tensor {
  data: Float32Array;
  dims: number[];
}

export function numel(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

export function tensor(dims: number[], data?: Float32Array): Tensor {
  const n = numel(dims);
  if (data && data.length !== n) {
    throw new RangeError(`tensor data has ${data.length} values, dims [${dims.join(', ')}] need ${n}`);
  }
  return { data: data ?? new Float32Array(n), dims: [...dims] };
}

export function cloneTensor(t: Tensor): Tensor {
  return { data: new Float32Array(t.data), dims: [...t.dims] };
}

/** Batch item `b` of an NCHW tensor, sharing no memory with the source. */
export function batchItem(t: Tensor, b: number): Tensor {
  const per = numel(t.dims.slice(1));
  return { data: t.data.slice(b * per, (b + 1) * per), dims: [1, ...t.dims.slice(1)] };
}

/** Concatenate tensors along the batch axis. */
export function concatBatch(ts: readonly Tensor[]): Tensor {
  return concatBatchInto(ts, new Float32Array(ts.reduce((n, t) => n + t.data.length, 0)));
}

/** concatBatch into `data`, which must hold exactly the sum of the tensors' sizes. */
export function concatBatchInto(ts: readonly Tensor[], data: Float32Array): Tensor {
  const rest = ts[0].dims.slice(1);
  for (const t of ts) {
    if (t.dims.slice(1).join() !== rest.join()) {
      throw new RangeError(`cannot batch [${t.dims}] with [${ts[0].dims}]`);
    }
  }
  if (data.length !== ts.reduce((n, t) => n + t.data.length, 0)) throw new RangeError(`cannot batch ${ts.length} tensors into ${data.length} values`);
  let o = 0;
  for (const t of ts) {
    data.set(t.data, o);
    o += t.data.length;
  }
  return { data, dims: [ts.reduce((n, t) => n + t.dims[0], 0), ...rest] };
}

/**
 * The inverse of concatBatch: consecutive pieces of `sizes[i]` batch items each. Views of `t`'s memory, not copies
 * (tensors are never written after they are made): copying a batch of images means touching as much fresh memory
 * again, which costs more than the work that made them.
 */
export function splitBatch(t: Tensor, sizes: readonly number[]): Tensor[] {
  const per = numel(t.dims.slice(1));
  let at = 0;
  return sizes.map((n) => {
    const data = t.data.subarray(at * per, (at + n) * per);
    at += n;
    return { data, dims: [n, ...t.dims.slice(1)] };
  });
}

export interface ChannelStats {
  mean: number;
  std: number;
  min: number;
  max: number;
}

/** Per-channel statistics over batch and space of an NCHW tensor. */
export function channelStats(t: Tensor): ChannelStats[] {
  const [b, c] = t.dims;
  const hw = numel(t.dims.slice(2));
  const out: ChannelStats[] = [];
  for (let ch = 0; ch < c; ch++) {
    let sum = 0, sq = 0, min = Infinity, max = -Infinity;
    for (let bi = 0; bi < b; bi++) {
      const base = (bi * c + ch) * hw;
      for (let i = 0; i < hw; i++) {
        const v = t.data[base + i];
        sum += v;
        sq += v * v;
        if (v < min) min = v;
        if (v > max) max = v;
      }
    }
    const n = b * hw;
    const mean = sum / n;
    out.push({ mean, std: Math.sqrt(Math.max(0, sq / n - mean * mean)), min, max });
  }
  return out;
}
