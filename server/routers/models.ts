// models.*: the model files a graph can name, per kind, from MODELS_DIR.
import { z } from 'zod';
import { isPlainModelName } from '../../nodes/engine/params';
import { MODEL_KINDS } from '../../nodes/runtime/models';
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

  /** Whether a graph could use this name. */
  exists: publicProcedure
    .input(z.object({ kind: modelKindSchema, name: modelNameSchema }))
    .query(({ ctx, input }) => ({ kind: input.kind, name: input.name, exists: ctx.models.exists(input.kind, input.name) })),
});
