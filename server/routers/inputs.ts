// inputs.*: images for Load Image — upload one (stored once per content) and list mine, newest first.
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { requireUser } from '../auth/access';
import { MAX_UPLOAD_BYTES, storeUpload, UploadError } from '../inputs/uploads';
import { MAX_UPLOAD_BASE64 } from '../limits/trpc-body';
import { createRouter, publicProcedure } from '../trpc';

export const inputsRouter = createRouter({
  upload: publicProcedure
    .input(z.object({ name: z.string().trim().min(1).max(255), base64: z.string().min(1).max(MAX_UPLOAD_BASE64, `images up to ${MAX_UPLOAD_BYTES / 2 ** 20} MB can be uploaded`) }))
    .mutation(async ({ ctx, input }) => {
      const user = requireUser(ctx.viewer, 'upload images');
      const originalName = input.name.split(/[\\/]/).pop()!.slice(0, 255);
      let stored;
      try {
        stored = await storeUpload(ctx.env.DATA_DIR, originalName, new Uint8Array(Buffer.from(input.base64, 'base64')), ctx.env.MAX_IMAGE_PIXELS);
      } catch (e) {
        if (e instanceof UploadError) throw new TRPCError({ code: 'BAD_REQUEST', message: e.message, cause: e });
        throw e;
      }
      // The same bytes uploaded again (by anyone) are the same file; the first uploader's row stays.
      await ctx.db.upload.upsert({
        where: { name: stored.name },
        create: { ...stored, originalName, userId: user?.id ?? null },
        update: {},
      });
      return { ...stored, originalName, url: `/api/inputs/${stored.name}` };
    }),

  list: publicProcedure.input(z.void()).query(async ({ ctx }) => {
    const user = requireUser(ctx.viewer, 'see your uploads');
    const rows = await ctx.db.upload.findMany({
      where: ctx.viewer.enforced ? { userId: user!.id } : {},
      orderBy: { createdAt: 'desc' },
      take: 200,
    });
    return rows.map((r) => ({
      name: r.name, originalName: r.originalName, width: r.width, height: r.height, size: r.size, createdAt: r.createdAt, url: `/api/inputs/${r.name}`,
    }));
  }),
});
