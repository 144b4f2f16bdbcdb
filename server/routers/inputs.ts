// inputs.*: images for Load Image — upload one (stored once per content) and list mine, newest first.
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { MAX_UPLOAD_BYTES, storeUpload, UploadError } from '../inputs/uploads';
import { MAX_UPLOAD_BASE64 } from '../limits/trpc-body';
import { createRouter, signedInProcedure } from '../trpc';

export const inputsRouter = createRouter({
  upload: signedInProcedure('upload images')
    .input(z.object({ name: z.string().trim().min(1).max(255), base64: z.string().min(1).max(MAX_UPLOAD_BASE64, `images up to ${MAX_UPLOAD_BYTES / 2 ** 20} MB can be uploaded`) }))
    .mutation(async ({ ctx, input }) => {
      const user = ctx.user;
      const originalName = input.name.split(/[\\/]/).pop()!.slice(0, 255);
      let stored;
      try {
        stored = await storeUpload(ctx.env.DATA_DIR, originalName, new Uint8Array(Buffer.from(input.base64, 'base64')), ctx.env.MAX_IMAGE_PIXELS);
      } catch (e) {
        if (e instanceof UploadError) throw new TRPCError({ code: 'BAD_REQUEST', message: e.message, cause: e });
        throw e;
      }
      // The same bytes uploaded again are the same file; each uploader gets their own row (it is theirs too),
      // and uploading it again keeps the first row (its name and date in the picker).
      const userId = user?.id ?? null;
      if (!(await ctx.db.upload.findFirst({ where: { name: stored.name, userId }, select: { id: true } }))) {
        await ctx.db.upload.create({ data: { ...stored, originalName, userId } }).catch((e: { code?: string }) => {
          if (e.code !== 'P2002') throw e; // the same upload, sent twice at once
        });
      }
      return { ...stored, originalName, url: `/api/inputs/${stored.name}` };
    }),

  list: signedInProcedure('see your uploads').input(z.void()).query(async ({ ctx }) => {
    const user = ctx.user;
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
