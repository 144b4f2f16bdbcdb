// models.*: the model files a graph can name, per kind, from MODELS_DIR.
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { lorasFitCheckpoint } from '../../nodes/lora/fit';
import { isPlainModelName } from '../../nodes/engine/params';
import { MODEL_KINDS, ModelPathError } from '../../nodes/runtime/models';
import { precisionByName } from '../../nodes/runtime/model-precision';
import { createRouter, publicProcedure } from '../trpc';

export const modelKindSchema = z.enum(MODEL_KINDS);

/** Names are resolved only inside models/<kind>/: no `..`, no absolute paths. */
export const modelNameSchema = z
  .string()
  .min(1)
  .max(500)
  .refine((n) => isPlainModelName(n) && !n.includes('..'), 'a model name must be a plain name inside the models folder (no "..", no absolute path)');

export const modelsRouter = createRouter({
  /**
   * Without `kind`: every kind, each with its names (possibly empty) and, per name, the precision its
   * weights compute in (fp32, fp16, bf16, int8, int4) where the file says.
   */
  list: publicProcedure
    .input(z.object({ kind: modelKindSchema.optional() }).optional())
    .query(({ ctx, input }) => {
      const kinds = input?.kind ? [input.kind] : MODEL_KINDS;
      return kinds.map((kind) => {
        const names = ctx.models.list(kind);
        return { kind, names, precision: precisionByName(ctx.models, kind, names) };
      });
    }),

  /**
   * How each LoRA in models/loras fits a checkpoint: of its layers (modules), how many find a weight of the same
   * shape in the checkpoint's U-Net and text encoder. Read from file headers and ONNX graphs (remembered per file
   * version), never from weights or an ONNX session: the picker marks the LoRAs that fit nothing.
   */
  loraFit: publicProcedure
    .input(z.object({ checkpoint: modelNameSchema }))
    .query(({ ctx, input }) => {
      try {
        return { checkpoint: input.checkpoint, fit: lorasFitCheckpoint(ctx.models, input.checkpoint, ctx.models.list('loras')) };
      } catch (e) {
        if (e instanceof ModelPathError) throw new TRPCError({ code: 'NOT_FOUND', message: e.message, cause: e });
        throw e;
      }
    }),

  /** Whether a graph could use this name. */
  exists: publicProcedure
    .input(z.object({ kind: modelKindSchema, name: modelNameSchema }))
    .query(({ ctx, input }) => ({ kind: input.kind, name: input.name, exists: ctx.models.exists(input.kind, input.name) })),
});
