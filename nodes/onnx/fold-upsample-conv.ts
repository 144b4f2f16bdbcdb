// Graph rewrite: nearest-neighbour upsampling by an integer factor s followed by a stride-1 convolution is the
// same as a convolution at the low resolution with s² times the output channels, followed by DepthToSpace.
// Output pixel (s·y+i, s·x+j) reads upsampled pixels whose sources are low-res pixels y + floor((i+dy)/s), so
// each phase (i, j) is an ordinary low-res conv with summed weights. Zero padding matches too: a high-res pixel
// outside the image maps to a low-res pixel outside it. ESRGAN-slim's last conv runs over 16x the pixels of the
// rest of the network with 3 output channels (the slowest shape a conv can have); folded, it is one dense conv.
import { getInitializerFloat32 } from './model-io';
import { tensorProto } from './builder';
import { onnx, toNumber, type IAttributeProto, type INodeProto, type ModelProto } from './proto';

export interface FoldReport {
  /** Conv nodes that now run at the low resolution. */
  folded: string[];
}

const ATTR = onnx.AttributeProto.AttributeType;

function attr(n: INodeProto, name: string): IAttributeProto | undefined {
  return n.attribute?.find((a) => a.name === name);
}

const text = (a: IAttributeProto | undefined) => (a?.s ? new TextDecoder().decode(a.s) : undefined);
const ints = (a: IAttributeProto | undefined) => (a?.ints ?? []).map(toNumber);

/** The integer factor of a Resize that repeats pixels (nearest, asymmetric, floor), or undefined. */
function nearestFactor(model: ModelProto, n: INodeProto, initializers: Set<string>): number | undefined {
  if (n.opType !== 'Resize' || (n.input?.length ?? 0) > 3) return undefined;
  if (text(attr(n, 'mode')) !== 'nearest' || text(attr(n, 'coordinate_transformation_mode')) !== 'asymmetric') return undefined;
  if ((text(attr(n, 'nearest_mode')) ?? 'round_prefer_floor') !== 'floor') return undefined;
  const scales = n.input?.[2];
  if (!scales || !initializers.has(scales)) return undefined;
  const [sn, sc, sh, sw] = getInitializerFloat32(model, scales);
  return sn === 1 && sc === 1 && sh === sw && Number.isInteger(sh) && sh > 1 ? sh : undefined;
}

/** Rewrites every Resize(nearest, ×s) -> Conv pair in place where the Resize feeds only that Conv. */
export function foldUpsampleConv(model: ModelProto): FoldReport {
  const g = model.graph!;
  const nodes = g.node ?? [];
  const initializers = new Set((g.initializer ?? []).map((t) => t.name ?? ''));
  const readers = new Map<string, INodeProto[]>();
  for (const n of nodes) for (const i of n.input ?? []) readers.set(i, [...(readers.get(i) ?? []), n]);
  const outputs = new Set((g.output ?? []).map((o) => o.name ?? ''));
  const report: FoldReport = { folded: [] };
  const removed = new Set<INodeProto>();

  for (const resize of nodes) {
    const s = nearestFactor(model, resize, initializers);
    const up = resize.output?.[0] ?? '';
    const conv = readers.get(up);
    if (!s || conv?.length !== 1 || outputs.has(up) || conv[0].opType !== 'Conv') continue;
    const c = conv[0];
    const [, w, b] = c.input ?? [];
    const wt = g.initializer?.find((t) => t.name === w);
    const dims = (wt?.dims ?? []).map(toNumber);
    const strides = ints(attr(c, 'strides')), dilations = ints(attr(c, 'dilations'));
    const group = toNumber(attr(c, 'group')?.i ?? 1) || 1;
    const [kh, kw] = [dims[2], dims[3]];
    const pads = ints(attr(c, 'pads'));
    const same = kh % 2 === 1 && kw % 2 === 1 && pads.length === 4 && pads[0] === (kh - 1) / 2 && pads[2] === (kh - 1) / 2 && pads[1] === (kw - 1) / 2 && pads[3] === (kw - 1) / 2;
    const autoPad = text(attr(c, 'auto_pad'));
    if (!wt || dims.length !== 4 || group !== 1 || !same || (autoPad && autoPad !== 'NOTSET')
      || strides.some((v) => v !== 1) || dilations.some((v) => v !== 1) || (b && !initializers.has(b))) continue;

    const [co, ci] = dims;
    const ph = (kh - 1) / 2, pw = (kw - 1) / 2;
    // Low-res offsets a..b reached from phases 0..s-1 with high-res offsets -p..p.
    const ah = Math.floor(-ph / s), bh = Math.floor((s - 1 + ph) / s);
    const aw = Math.floor(-pw / s), bw = Math.floor((s - 1 + pw) / s);
    const kh2 = bh - ah + 1, kw2 = bw - aw + 1;
    const src = getInitializerFloat32(model, w);
    const out = new Float32Array(s * s * co * ci * kh2 * kw2);
    for (let i = 0; i < s; i++) {
      for (let j = 0; j < s; j++) {
        for (let o = 0; o < co; o++) {
          const o2 = (i * s + j) * co + o; // DepthToSpace DCR reads channel (i·s + j)·C + c
          for (let cin = 0; cin < ci; cin++) {
            for (let dy = -ph; dy <= ph; dy++) {
              const y2 = Math.floor((i + dy) / s) - ah;
              for (let dx = -pw; dx <= pw; dx++) {
                const x2 = Math.floor((j + dx) / s) - aw;
                out[((o2 * ci + cin) * kh2 + y2) * kw2 + x2] += src[((o * ci + cin) * kh + dy + ph) * kw + dx + pw];
              }
            }
          }
        }
      }
    }
    const name = `${w}/folded_x${s}`;
    g.initializer!.push(tensorProto(name, out, [s * s * co, ci, kh2, kw2]));
    const inputs = [resize.input![0], name];
    if (b) {
      const bias = getInitializerFloat32(model, b);
      const bname = `${b}/folded_x${s}`;
      g.initializer!.push(tensorProto(bname, Float32Array.from({ length: s * s * co }, (_, k) => bias[k % co]), [s * s * co]));
      inputs.push(bname);
    }
    const lowRes = `${c.output![0]}/low_res`;
    c.input = inputs;
    c.attribute = [
      { name: 'kernel_shape', type: ATTR.INTS, ints: [kh2, kw2] },
      { name: 'pads', type: ATTR.INTS, ints: [-ah, -aw, bh, bw] },
      { name: 'strides', type: ATTR.INTS, ints: [1, 1] },
    ];
    const d2s: INodeProto = {
      name: `${c.name}/DepthToSpace`, opType: 'DepthToSpace', domain: '', input: [lowRes], output: [c.output![0]],
      attribute: [{ name: 'blocksize', type: ATTR.INT, i: s }, { name: 'mode', type: ATTR.STRING, s: new TextEncoder().encode('DCR') }],
    };
    c.output = [lowRes];
    nodes.splice(nodes.indexOf(c) + 1, 0, d2s);
    removed.add(resize);
    report.folded.push(c.name ?? '');
  }
  g.node = nodes.filter((n) => !removed.has(n));
  const used = new Set(g.node.flatMap((n) => n.input ?? []));
  g.initializer = (g.initializer ?? []).filter((t) => used.has(t.name ?? ''));
  return report;
}
