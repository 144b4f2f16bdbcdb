// Test fixtures rebuilt from diffusers' tests/schedulers/test_schedulers.py: the deterministic
// sample/noise (arange laid out as (C, H, W, B) then permuted to NCHW) and the dummy model.

const f = Math.fround;

/** dims: [B, C, ...spatial]; value at NCHW position = (index in (C, ...spatial, B) order) / N. */
function permutedArange(dims: readonly number[], reversed: boolean): Float32Array {
  const [B, ...rest] = dims;
  const inner = rest.reduce((a, b) => a * b, 1);
  const n = B * inner;
  const out = new Float32Array(n);
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < inner; j++) {
      const k = j * B + b;
      out[b * inner + j] = f((reversed ? n - 1 - k : k) / n);
    }
  }
  return out;
}

export const dummySampleDeter = (dims: readonly number[] = [4, 3, 8, 8]): Float32Array => permutedArange(dims, false);
export const dummyNoiseDeter = (dims: readonly number[] = [4, 3, 8, 8]): Float32Array => permutedArange(dims, true);

/** model(sample, t) = sample * t / (t + 1), in float32 like the torch dummy. */
export function dummyModel(sample: Float32Array, t: number): Float32Array {
  const tf = f(t);
  const t1 = f(tf + 1);
  return sample.map((x) => f(f(x * tf) / t1));
}

export function absSum(x: Float32Array): number {
  let s = 0;
  for (const v of x) s += Math.abs(v);
  return s;
}

export function absMean(x: Float32Array): number {
  return absSum(x) / x.length;
}

export function scale(x: Float32Array, s: number): Float32Array {
  return x.map((v) => f(v * s));
}
