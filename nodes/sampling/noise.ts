// Seeded Gaussian noise for samplers: a portable default stream and a mode that reproduces
// CPU `torch.manual_seed(seed); torch.randn(n)` bit-for-bit in float32 (up to libm rounding).

/** A stateful source of standard normal noise; successive calls continue the stream. */
export interface NoiseSource {
  readonly seed: number;
  readonly mode: NoiseMode;
  randn(n: number): Float32Array;
}

export const NOISE_MODES = ['stepflow', 'torch'] as const;
export type NoiseMode = (typeof NOISE_MODES)[number];

export class NoiseSeedError extends RangeError {
  constructor(readonly seed: unknown) {
    super(`noise seed must be a finite integer with |seed| <= 2^53, got ${String(seed)}`);
    this.name = 'NoiseSeedError';
  }
}

/**
 * `stepflow` (default): xoshiro128** seeded through splitmix32 from both 32-bit halves of the
 * seed, uniforms with 53 random bits, Box-Muller in float64 (cos then sin of each pair), rounded
 * to float32. Only integer arithmetic and Math.log/sqrt/cos/sin are involved, so every machine
 * running a conforming JS engine produces the same numbers.
 *
 * `torch`: mt19937 seeded like `torch.manual_seed(seed)`, reproducing CPU `torch.randn(n)` for a
 * contiguous float32 tensor, including its two code paths (scalar for n < 16, blocks of 16 above).
 */
export function createNoise(seed: number, mode: NoiseMode = 'stepflow'): NoiseSource {
  if (!Number.isSafeInteger(seed)) throw new NoiseSeedError(seed);
  if (mode === 'torch') return new TorchNoise(seed);
  if (mode === 'stepflow') return new StepflowNoise(seed);
  throw new RangeError(`unknown noise mode "${String(mode)}"; valid modes: ${NOISE_MODES.join(', ')}`);
}

function low32(seed: number): number {
  return Number(BigInt.asUintN(32, BigInt(seed)));
}
function high32(seed: number): number {
  return Number(BigInt.asUintN(32, BigInt(seed) >> 32n));
}

// ---------------------------------------------------------------- stepflow (xoshiro128**)

class StepflowNoise implements NoiseSource {
  readonly mode = 'stepflow' as const;
  private readonly s = new Uint32Array(4);

  constructor(readonly seed: number) {
    // splitmix32 expands the 64-bit seed into a non-zero 128-bit state.
    let x = (low32(seed) ^ Math.imul(high32(seed), 0x9e3779b9)) >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1;
  }

  private next(): number {
    const s = this.s;
    const r = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return r;
  }

  /** Uniform in (0, 1] from 53 random bits (never 0, so log is finite). */
  private uniform(): number {
    const hi = this.next() >>> 5; // 27 bits
    const lo = this.next() >>> 6; // 26 bits
    return (hi * 67108864 + lo + 1) / 9007199254740992;
  }

  randn(n: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i += 2) {
      const r = Math.sqrt(-2 * Math.log(this.uniform()));
      const theta = 2 * Math.PI * this.uniform();
      out[i] = r * Math.cos(theta);
      if (i + 1 < n) out[i + 1] = r * Math.sin(theta);
    }
    return out;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

// ---------------------------------------------------------------- torch (mt19937)

const MT_N = 624;
const MT_M = 397;

/** Mersenne twister with torch's seeding (state[0] = low 32 bits of the seed). */
class Mt19937 {
  private readonly state = new Uint32Array(MT_N);
  private left = 1;
  private nextIndex = 0;

  constructor(seed: number) {
    const st = this.state;
    st[0] = low32(seed);
    for (let j = 1; j < MT_N; j++) {
      const prev = st[j - 1] ^ (st[j - 1] >>> 30);
      st[j] = (Math.imul(1812433253, prev) + j) >>> 0;
    }
  }

  private twist(): void {
    const st = this.state;
    for (let k = 0; k < MT_N; k++) {
      const y = (st[k] & 0x80000000) | (st[(k + 1) % MT_N] & 0x7fffffff);
      st[k] = st[(k + MT_M) % MT_N] ^ (y >>> 1) ^ (st[(k + 1) % MT_N] & 1 ? 0x9908b0df : 0);
    }
    this.left = MT_N;
    this.nextIndex = 0;
  }

  random(): number {
    if (--this.left === 0) this.twist();
    let y = this.state[this.nextIndex++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }
}

const f32 = Math.fround;
const TWO_PI = 2 * Math.PI;

class TorchNoise implements NoiseSource {
  readonly mode = 'torch' as const;
  private readonly mt: Mt19937;
  /** torch caches the second value of each scalar Box-Muller pair in the generator. */
  private cachedNormal: number | null = null;

  constructor(readonly seed: number) {
    this.mt = new Mt19937(seed);
  }

  /** uniform_real_distribution<double>: 53 low bits of random64() (first draw is the high word). */
  private uniformDouble(): number {
    const hi = this.mt.random();
    const lo = this.mt.random();
    return ((hi & 0x1fffff) * 4294967296 + lo) / 9007199254740992;
  }

  /** uniform_real_distribution<float>: 24 low bits of one 32-bit draw. */
  private uniformFloat(): number {
    return (this.mt.random() & 0xffffff) / 16777216;
  }

  private scalarNormal(): number {
    if (this.cachedNormal !== null) {
      const v = this.cachedNormal;
      this.cachedNormal = null;
      return v;
    }
    const u1 = this.uniformDouble();
    const u2 = this.uniformDouble();
    const r = Math.sqrt(-2 * Math.log1p(-u2));
    const theta = TWO_PI * u1;
    this.cachedNormal = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /** torch's normal_fill_16 in float32: first 8 slots are u1, next 8 are u2. */
  private static fill16(data: Float32Array, at: number): void {
    for (let j = 0; j < 8; j++) {
      const u1 = f32(1 - data[at + j]);
      const u2 = data[at + j + 8];
      const radius = f32(Math.sqrt(f32(-2 * f32(Math.log(u1)))));
      const theta = f32(TWO_PI * u2);
      data[at + j] = f32(radius * f32(Math.cos(theta)));
      data[at + j + 8] = f32(radius * f32(Math.sin(theta)));
    }
  }

  randn(n: number): Float32Array {
    const out = new Float32Array(n);
    if (n < 16) {
      for (let i = 0; i < n; i++) out[i] = this.scalarNormal();
      return out;
    }
    for (let i = 0; i < n; i++) out[i] = this.uniformFloat();
    for (let i = 0; i + 16 <= n; i += 16) TorchNoise.fill16(out, i);
    if (n % 16 !== 0) {
      // torch redraws the last 16 slots and transforms them as one more block.
      const at = n - 16;
      for (let i = 0; i < 16; i++) out[at + i] = this.uniformFloat();
      TorchNoise.fill16(out, at);
    }
    return out;
  }
}
