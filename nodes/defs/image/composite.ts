// Composite: place one image over another at (x, y) with opacity and a blend mode.
import { defineNode, param } from '../../define';
import { cloneTensor } from '../../runtime/tensor';

const BLENDS = ['normal', 'multiply', 'screen', 'add'] as const;
type Blend = (typeof BLENDS)[number];

const blendFns: Record<Blend, (a: number, b: number) => number> = {
  normal: (_a, b) => b,
  multiply: (a, b) => a * b,
  screen: (a, b) => 1 - (1 - a) * (1 - b),
  add: (a, b) => Math.min(1, a + b),
};

export const composite = defineNode({
  type: 'composite',
  version: 1,
  title: 'Composite',
  category: 'image',
  description: 'Blend the overlay onto the base at (x, y); the overlay alpha channel is respected.',
  aliases: ['ImageCompositeMasked', 'Paste Image', 'Blend'],
  inputs: { base: { type: 'IMAGE' }, overlay: { type: 'IMAGE' } },
  params: {
    x: param.int({ default: 0, min: -16384, max: 16384 }),
    y: param.int({ default: 0, min: -16384, max: 16384 }),
    opacity: param.float({ default: 1, min: 0, max: 1, step: 0.05 }),
    blend: param.choice(BLENDS, { default: 'normal' }),
  },
  outputs: { image: { type: 'IMAGE' } },
  // The base's size: the overlay is clipped to it.
  outputSize: (_p, { base }) => base,
  async execute(_ctx, { base, overlay }, p) {
    const out = cloneTensor(base);
    const [, bc, bh, bw] = base.dims;
    const [, oc, oh, ow] = overlay.dims;
    const fn = blendFns[p.blend as Blend];
    const bPlane = bh * bw;
    const oPlane = oh * ow;
    const colour = Math.min(3, bc, oc);
    for (let oy = 0; oy < oh; oy++) {
      const by = oy + p.y;
      if (by < 0 || by >= bh) continue;
      for (let ox = 0; ox < ow; ox++) {
        const bx = ox + p.x;
        if (bx < 0 || bx >= bw) continue;
        const oi = oy * ow + ox;
        const bi = by * bw + bx;
        const alpha = p.opacity * (oc === 4 ? overlay.data[3 * oPlane + oi] : 1);
        for (let c = 0; c < colour; c++) {
          const a = base.data[c * bPlane + bi];
          out.data[c * bPlane + bi] = a + (fn(a, overlay.data[c * oPlane + oi]) - a) * alpha;
        }
      }
    }
    return { image: out };
  },
});
