// The sprites ControlNet: a closed-form "edge ControlNet" for the sprites U-Net. Its mid residual is a log-weight per
// sprite, scale · GAIN · cos(edge map of the hint, outline of the sprite's shape and size), which the residual U-Net
// adds to its text log-prior. The U-Net then is the exact denoiser of the sprite set under the prior tilted by that
// factor (Bayes with a product of experts), so a hint's edges pick the shape and size while the prompt picks the
// colours, and scale 0 adds exact zeros: the plain denoiser, bit for bit. Diffusers' ControlNetModel interface:
// sample, timestep, encoder_hidden_states, controlnet_cond [B,3,8h,8w] in [0,1], conditioning_scale.
import { GraphBuilder } from '../../onnx/builder';
import { GRID, SHAPES, SIZE_NAMES, SPRITES, shapeMask } from '../sprites';
import { TEXT_SLOTS } from '../text-encoder';
import { LATENT_CHANNELS } from '../vae';

/**
 * Log-weight per unit of cosine. The closest pair of outlines (small circle, small square) differs by 0.135 in
 * cosine on a Canny map of a sprite, so the wrong shape loses ≥ 27 nats: e^-27 against a prompt's -12 per attribute.
 */
export const CONTROL_GAIN = 200;

/** Output names: the residual U-Net's input name for its one skip connection, diffusers' name for the mid block. */
export const SPRITES_CONTROL_DOWN = 'down_block_0';
export const SPRITES_CONTROL_MID = 'mid_block_res_sample';

/** The outlines, one per (shape, size): unit vectors over the 32x32 cells, 1 on each cell next to the other side. */
export function spriteOutlines(): { keys: string[]; outlines: Float32Array } {
  const keys: string[] = [];
  const outlines = new Float32Array(SHAPES.length * SIZE_NAMES.length * GRID * GRID);
  for (const shape of SHAPES) {
    for (const size of SIZE_NAMES) {
      const mask = shapeMask(shape, size);
      const at = (x: number, y: number) => (x < 0 || y < 0 || x >= GRID || y >= GRID ? 0 : mask[y * GRID + x]);
      const row = outlines.subarray(keys.length * GRID * GRID, (keys.length + 1) * GRID * GRID);
      for (let y = 0; y < GRID; y++) {
        for (let x = 0; x < GRID; x++) {
          const v = at(x, y);
          // Both sides of the boundary: an edge detector marks one or the other depending on which is brighter.
          row[y * GRID + x] = at(x - 1, y) !== v || at(x + 1, y) !== v || at(x, y - 1) !== v || at(x, y + 1) !== v ? 1 : 0;
        }
      }
      const norm = Math.sqrt(row.reduce((a, v) => a + v * v, 0));
      for (let i = 0; i < row.length; i++) row[i] /= norm;
      keys.push(`${shape}/${size}`);
    }
  }
  return { keys, outlines };
}

export function buildSpritesControlNet(): GraphBuilder {
  const { keys, outlines } = spriteOutlines();
  const n = SPRITES.length;
  const g = new GraphBuilder('sprites_controlnet');
  const sample = g.input('sample', 'float32', ['batch', LATENT_CHANNELS, 'height', 'width']);
  // The text and the noise level do not enter the tilt: the prior it multiplies is the same at every timestep.
  g.input('timestep', 'float32', ['batch']);
  g.input('encoder_hidden_states', 'float32', ['batch', 'sequence', TEXT_SLOTS.width]);
  const hint = g.input('controlnet_cond', 'float32', ['batch', 3, 'image_height', 'image_width']);
  const scale = g.input('conditioning_scale', 'float32', []);

  // Edge density per sprite cell: the hint (8 px per latent cell, any multiple of the 32x32 grid) averaged over its
  // channels and each (H/32) x (W/32) block.
  const grey = g.op('ReduceMean', [hint], { name: '/controlnet_cond_embedding/ReduceMean', attrs: { axes: [1], keepdims: 0 } });
  const shape = g.op('Shape', [hint], { name: '/controlnet_cond_embedding/Shape' });
  const side = (axis: number, name: string) => g.op('Div', [g.op('Gather', [shape, g.int64s([axis])], { name: `/controlnet_cond_embedding/${name}/Gather`, attrs: { axis: 0 } }), g.int64s([GRID])], {
    name: `/controlnet_cond_embedding/${name}/Div`,
  });
  const blocked = g.op('Reshape', [grey, g.op('Concat', [g.int64s([-1, GRID]), side(2, 'bh'), g.int64s([GRID]), side(3, 'bw')], { name: '/controlnet_cond_embedding/Concat', attrs: { axis: 0 } })], {
    name: '/controlnet_cond_embedding/Reshape',
  });
  const cells = g.op('Reshape', [g.op('ReduceMean', [blocked], { name: '/controlnet_cond_embedding/cells/ReduceMean', attrs: { axes: [2, 4], keepdims: 0 } }), g.int64s([-1, GRID * GRID])], {
    name: '/controlnet_cond_embedding/cells/Reshape',
  });
  // Cosine with every outline; a blank hint (no edges) gives 0 everywhere, so it steers nothing.
  const sq = g.op('ReduceSum', [g.op('Mul', [cells, cells], { name: '/outline/sq/Mul' }), g.int64s([1])], { name: '/outline/sq/ReduceSum', attrs: { keepdims: 1 } });
  const norm = g.op('Sqrt', [g.op('Add', [sq, g.scalar(1e-12)], { name: '/outline/norm/Add' })], { name: '/outline/norm/Sqrt' });
  const unit = g.op('Div', [cells, norm], { name: '/outline/Div' });
  const cos = g.op('Gemm', [unit, g.initializer('outline.weight', outlines, [keys.length, GRID * GRID])], { name: '/outline/Gemm', attrs: { transB: 1 } });
  // controlnet_mid_block (a 1x1 conv in diffusers, fixed here): outline k -> every sprite drawn with it, times GAIN.
  const spread = new Float32Array(keys.length * n);
  for (const s of SPRITES) spread[keys.indexOf(`${s.shape}/${s.size}`) * n + s.index] = CONTROL_GAIN;
  const logWeights = g.op('MatMul', [cos, g.initializer('controlnet_mid_block.weight', spread, [keys.length, n])], { name: '/controlnet_mid_block/MatMul' });
  const mid = g.op('Reshape', [g.op('Mul', [logWeights, scale], { name: '/controlnet_mid_block/Mul' }), g.int64s([-1, n, 1, 1])], { name: '/controlnet_mid_block/Reshape' });
  // The skip connection (added to x0) gets zeros: an additive latent would leave the sprite set; the tilt does not.
  const down = g.op('ConstantOfShape', [g.op('Shape', [sample], { name: '/controlnet_down_blocks.0/Shape' })], { name: '/controlnet_down_blocks.0/ConstantOfShape' });
  g.output(down, SPRITES_CONTROL_DOWN, 'float32', ['batch', LATENT_CHANNELS, 'height', 'width']);
  g.output(mid, SPRITES_CONTROL_MID, 'float32', ['batch', n, 1, 1]);
  return g;
}
