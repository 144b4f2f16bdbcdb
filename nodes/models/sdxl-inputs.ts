// SDXL's added-conditioning inputs of a U-Net export (Optimum's names): text_embeds [B, D] (the pooled projection of
// text_encoder_2) and time_ids [B, 6] (base: original size, crop, target size) or [B, 5] (refiner: original size,
// crop, aesthetic score). Fed from the AddedConditioning rows guidance stacks beside the context.
import type { FeedValue, TensorInfo } from '../onnx/feeds';
import type { Tensor } from '../runtime/tensor';
import type { AddedConditioning } from '../values';
import { ModelFormatError, ModelInputError } from './errors';
import { optionalInput, type SessionIo } from './session-io';

export class SdxlInputs {
  private constructor(
    private readonly textEmbeds: TensorInfo,
    private readonly timeIdsInfo: TensorInfo,
    private readonly file: string,
    private readonly label: string,
    /** time_ids width: 6 (base) or 5 (refiner). */
    readonly timeIds: 5 | 6,
  ) {}

  /** The session's SDXL inputs; undefined for an SD U-Net. One without the other is a broken export. */
  static of(io: SessionIo, file: string, label: string): SdxlInputs | undefined {
    const textEmbeds = optionalInput(io, ['text_embeds']);
    const timeIds = optionalInput(io, ['time_ids']);
    if (!textEmbeds && !timeIds) return undefined;
    if (!textEmbeds || !timeIds) {
      throw new ModelFormatError(file, `has ${textEmbeds ? 'text_embeds' : 'time_ids'} but no ${textEmbeds ? 'time_ids' : 'text_embeds'} input; an SDXL U-Net takes both`);
    }
    const width = timeIds.dims[1];
    if (width !== 5 && width !== 6) {
      throw new ModelFormatError(file, `time_ids must be [batch, 6] (SDXL base) or [batch, 5] (SDXL refiner), got [${timeIds.dims.join(', ')}]`);
    }
    return new SdxlInputs(textEmbeds, timeIds, file, label, width);
  }

  get names(): string[] {
    return [this.textEmbeds.name, this.timeIdsInfo.name];
  }

  /** The two feeds for a call of `b` samples; `added` must hold b rows of each (guidance tiles and stacks them). */
  feeds(added: AddedConditioning | undefined, b: number): Record<string, FeedValue> {
    if (!added?.pooled) {
      throw new ModelInputError(this.label, `${this.file} is an SDXL U-Net: it takes text_embeds, the pooled projection of text_encoder_2, ` +
        'but the conditioning has none; encode the prompts with the CLIP of an SDXL checkpoint (text_encoder_2)');
    }
    if (!added.timeIds) throw new ModelInputError(this.label, `${this.file} is an SDXL U-Net: it takes time_ids, but the sampler sent none`);
    return {
      [this.textEmbeds.name]: this.check(added.pooled, b, this.textEmbeds, 'text_embeds', 'the pooled text embedding'),
      [this.timeIdsInfo.name]: this.check(added.timeIds, b, this.timeIdsInfo, 'time_ids', 'the time-id row'),
    };
  }

  private check(t: Tensor, b: number, info: TensorInfo, input: string, what: string): FeedValue {
    const width = info.dims[1];
    if (t.dims[0] !== b || t.dims.length !== 2) {
      throw new ModelInputError(this.label, `${what} has shape [${t.dims.join(', ')}] for a batch of ${b}`);
    }
    if (typeof width === 'number' && t.dims[1] !== width) {
      throw new ModelInputError(this.label, `${this.file} input ${input} takes width ${width}, but ${what} has width ${t.dims[1]}; ` +
        'use the text encoders and refiner/base pairing that belong to this model');
    }
    return t;
  }
}
