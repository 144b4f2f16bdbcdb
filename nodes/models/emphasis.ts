// Prompt emphasis on text-encoder output, ComfyUI style: each token's hidden state is pushed away
// from (w > 1) or towards (w < 1) the empty prompt's state at the same position.

/**
 * z: k windows of [tokens, dim] hidden states, flat; zEmpty: the empty prompt's [tokens, dim];
 * weights: one per token position of z (k * tokens). Returns z_empty + (z - z_empty) * w.
 */
export function applyEmphasis(z: Float32Array, zEmpty: Float32Array, weights: readonly number[], dim: number): Float32Array {
  const tokens = zEmpty.length / dim;
  if (z.length !== weights.length * dim || !Number.isInteger(tokens) || (weights.length % tokens) !== 0) {
    throw new RangeError(`emphasis: ${z.length} hidden values, ${weights.length} weights, ${zEmpty.length} empty values do not fit dim ${dim}`);
  }
  const out = new Float32Array(z.length);
  for (let p = 0; p < weights.length; p++) {
    const w = weights[p];
    const o = p * dim;
    const e = (p % tokens) * dim;
    if (w === 1) {
      out.set(z.subarray(o, o + dim), o);
      continue;
    }
    for (let d = 0; d < dim; d++) out[o + d] = zEmpty[e + d] + (z[o + d] - zEmpty[e + d]) * w;
  }
  return out;
}

export function hasEmphasis(weights: readonly number[]): boolean {
  return weights.some((w) => w !== 1);
}
