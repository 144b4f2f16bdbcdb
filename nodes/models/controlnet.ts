// The CONTROL_NET socket's value: a diffusers ControlNetModel ONNX export (sample, timestep, encoder_hidden_states,
// controlnet_cond, optional conditioning_scale -> one residual per U-Net skip connection + the mid block's).
// onnx-web's exports (ssube/onnx-web at 568a16c5, api/onnx_web/convert/diffusion/control.py) have no
// conditioning_scale input (its pipeline, api/onnx_web/diffusers/pipelines/controlnet.py, multiplies the residuals, as
// `residuals` does here) and pass output_names ["down_block_res_samples", "mid_block_res_sample"] for the 13 flattened
// outputs: torch names only the first two, so the output called mid_block_res_sample is the second down residual, and
// the pipeline reads them by position (outputs 0-11 down, output 12 mid). Such an export is read by position too.
import { outputFloat32, type FeedValue, type TensorInfo } from '../onnx/feeds';
import type { ModelSession, OnnxRuntime } from '../runtime/onnx';
import type { Tensor } from '../runtime/tensor';
import type { ControlNetModel } from '../values';
import type { ControlInputs, ControlResiduals } from './control-inputs';
import { ModelFormatError } from './errors';
import { isIntegerType, optionalInput, requireInput } from './session-io';
import { sessionKey } from './session-key';

export type ControlNetSession = Pick<ModelSession, 'inputs' | 'outputs' | 'run' | 'key' | 'provider'>;

const MID = /mid_block/;
/** onnx-web's name for its first output (the name of the whole down-residual tuple; see the header). */
const TUPLE_NAMED = 'down_block_res_samples';

/** [down residuals, mid residual] of the export's outputs. */
function residualOutputs(outputs: readonly TensorInfo[]): { down: TensorInfo[]; mid: TensorInfo | undefined } {
  if (outputs[0]?.name === TUPLE_NAMED && outputs.length > 2) return { down: outputs.slice(0, -1), mid: outputs.at(-1) };
  return { down: downOutputs(outputs), mid: outputs.find((o) => MID.test(o.name)) };
}

/** Down residual outputs in order: by the number in their names when every one has one, else as the export lists them. */
function downOutputs(outputs: readonly TensorInfo[]): TensorInfo[] {
  const down = outputs.filter((o) => !MID.test(o.name));
  const n = (o: TensorInfo) => /(\d+)$/.exec(o.name)?.[1];
  return down.every((o) => n(o) !== undefined) ? [...down].sort((a, b) => Number(n(a)) - Number(n(b))) : down;
}

export class OnnxControlNet implements ControlNetModel {
  readonly kind = 'controlnet' as const;
  readonly provider: string;
  readonly loras = [];
  readonly outputs: ControlInputs;
  private readonly sample: TensorInfo;
  private readonly timestep: TensorInfo;
  private readonly context: TensorInfo;
  private readonly hint: TensorInfo;
  private readonly scale: TensorInfo | undefined;

  constructor(private readonly session: ControlNetSession, readonly file: string, readonly name: string) {
    this.provider = session.provider;
    this.sample = requireInput(session, ['sample'], file, 'latent sample');
    this.timestep = requireInput(session, ['timestep', 'timesteps'], file, 'timestep');
    this.context = requireInput(session, ['encoder_hidden_states'], file, 'text conditioning');
    this.hint = requireInput(session, ['controlnet_cond', 'cond', 'hint'], file, 'control image');
    this.scale = optionalInput(session, ['conditioning_scale']);
    const { down, mid } = residualOutputs(session.outputs);
    if (!mid || down.length === 0) {
      throw new ModelFormatError(file, `is not a ControlNet: it needs down-block residual outputs and a mid_block output, it has ${session.outputs.map((o) => o.name).join(', ')}`);
    }
    this.outputs = { down, mid };
  }

  async residuals(sample: Tensor, timestep: number, context: Tensor, hint: Tensor, scale: number, signal?: AbortSignal): Promise<ControlResiduals> {
    const b = sample.dims[0];
    const t = isIntegerType(this.timestep) ? Math.round(timestep) : timestep;
    const feeds: Record<string, FeedValue> = {
      [this.sample.name]: sample,
      [this.timestep.name]: this.timestep.dims.length === 0 ? { data: Float32Array.of(t), dims: [] } : { data: new Float32Array(b).fill(t), dims: [b] },
      [this.context.name]: context,
      [this.hint.name]: hint,
    };
    if (this.scale) feeds[this.scale.name] = this.scale.dims.length === 0 ? { data: Float32Array.of(scale), dims: [] } : { data: Float32Array.of(scale), dims: [1] };
    const out = await this.session.run(feeds, { signal });
    const read = (info: TensorInfo): Tensor => {
      const data = outputFloat32(out[info.name]);
      // An export without conditioning_scale returns unscaled residuals: scale them here, as ControlNetModel does.
      if (!this.scale && scale !== 1) for (let i = 0; i < data.length; i++) data[i] *= scale;
      return { data, dims: [...out[info.name].dims] };
    };
    return { down: this.outputs.down.map(read), mid: read(this.outputs.mid) };
  }
}

export async function loadControlNet(runtime: OnnxRuntime, file: string, name: string): Promise<OnnxControlNet> {
  const session = await runtime.session(sessionKey('controlnet', file), { path: file });
  return new OnnxControlNet(session, file, name);
}
