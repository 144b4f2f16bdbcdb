// The ControlNet residual inputs of a U-Net export. StepFlow reads onnx-web's names, checked against its source
// (ssube/onnx-web at 568a16c5): convert_diffusion_diffusers_cnet in api/onnx_web/convert/diffusion/diffusion.py exports
// the U-Net with inputs sample, timestep, encoder_hidden_states, down_block_0 … down_block_11 (SD 1.5's 12 skip
// connections, in channels at latent scale: 320 x3 at 1; 320, 640, 640 at 1/2; 640, 1280, 1280 at 1/4; 1280 x3 at
// 1/8) and mid_block_additional_residual (1280 at 1/8), output out_sample; its pipeline
// (api/onnx_web/diffusers/pipelines/controlnet.py) feeds them by those names. `down_block_additional_residuals_<i>`
// spellings are taken too. A plain SD export has none of them and cannot be steered by a ControlNet.
import type { FeedValue, TensorInfo } from '../onnx/feeds';
import type { Tensor } from '../runtime/tensor';
import type { SessionIo } from './session-io';

/** What a ControlNet returns and a ControlNet U-Net takes: one residual per skip connection, plus the mid block's. */
export interface ControlResiduals {
  down: Tensor[];
  mid: Tensor;
}

export interface ControlInputs {
  /** In skip-connection order (the index in the name). */
  down: TensorInfo[];
  mid: TensorInfo;
}

const DOWN = /^down_block(?:_additional_residuals?)?[._]?(\d+)$/;
const MID = /^mid_block_additional_residual$/;

/** The residual inputs, or undefined for a U-Net without them; half a set (down without mid) is a format error upstream. */
export function controlInputs(io: SessionIo): ControlInputs | undefined {
  const down = io.inputs.filter((i) => DOWN.test(i.name)).sort((a, b) => index(a.name) - index(b.name));
  const mid = io.inputs.find((i) => MID.test(i.name));
  if (!mid || down.length === 0) return undefined;
  return { down, mid };
}

function index(name: string): number {
  return Number(DOWN.exec(name)![1]);
}

/**
 * Feeds for the residual inputs. Without residuals (no ControlNet, or outside its step window) each gets zeros of
 * spatial size 1 unless the export pins its size: the U-Net adds residuals (diffusers' rule), an Add broadcasts, and
 * x + 0 = x, so the output is the plain U-Net's without knowing each skip connection's size.
 */
export function residualFeeds(inputs: ControlInputs, residuals: ControlResiduals | undefined, batch: number): Record<string, FeedValue> {
  const feeds: Record<string, FeedValue> = {};
  const feed = (info: TensorInfo, t: Tensor | undefined) => {
    feeds[info.name] = t ?? zeros(info, batch);
  };
  inputs.down.forEach((info, i) => feed(info, residuals?.down[i]));
  feed(inputs.mid, residuals?.mid);
  return feeds;
}

function zeros(info: TensorInfo, batch: number): Tensor {
  const dims = info.dims.map((d, i) => (i === 0 ? batch : typeof d === 'number' && d > 0 ? d : 1));
  return { data: new Float32Array(dims.reduce((a, b) => a * b, 1)), dims };
}

/** Rows [start, start + n) of every residual (views), for a U-Net call split by its batch limit. */
export function residualRows(r: ControlResiduals, start: number, n: number): ControlResiduals {
  const rows = (t: Tensor): Tensor => {
    const per = t.data.length / t.dims[0];
    return { data: t.data.subarray(start * per, (start + n) * per), dims: [n, ...t.dims.slice(1)] };
  };
  return { down: r.down.map(rows), mid: rows(r.mid) };
}
