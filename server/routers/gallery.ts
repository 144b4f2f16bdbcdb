// gallery.*: my output images, newest first (all, or one workflow's), each with the facts its card shows — seed,
// prompts, sampler settings — read from the graph its run stored, and my rating of it.
import { z } from 'zod';
import type { Graph } from '../../nodes/engine/graph';
import { catalogMap } from '../../nodes/engine/validate';
import { getCatalog } from '../../nodes/registry';
import { artifactUrl } from '../artifacts/store';
import { imageParams, type ImageParams } from '../gallery/image-params';
import { raterKeyOf, ratingsBy } from '../ratings';
import { createRouter, signedInProcedure } from '../trpc';

export interface GalleryImage {
  artifactId: string;
  url: string;
  width: number;
  height: number;
  runId: string;
  workflowId: string | null;
  workflowName: string | null;
  workflowVersion: number | null;
  createdAt: Date;
  params: ImageParams;
  myRating: number | null;
}

export const galleryRouter = createRouter({
  /** `nextCursor`: the artifact id to pass as `cursor` for the following page. */
  list: signedInProcedure('see your outputs')
    .input(z.object({
      workflowId: z.string().min(1).max(100).optional(),
      cursor: z.string().min(1).max(100).optional(),
      limit: z.number().int().min(1).max(100).default(40),
    }))
    .query(async ({ ctx, input }) => {
      // With accounts, my runs' images only (as runs.list: history is personal, admins included).
      const user = ctx.user;
      const rows = await ctx.db.artifact.findMany({
        where: { kind: 'image', run: { workflowId: input.workflowId, ...(ctx.viewer.enforced ? { userId: user!.id } : {}) } },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: input.limit + 1,
        ...(input.cursor ? { cursor: { id: input.cursor }, skip: 1 } : {}),
        select: {
          id: true, nodeId: true, width: true, height: true, createdAt: true, runId: true,
          run: { select: { graph: true, workflowId: true, workflowVersion: true, workflow: { select: { name: true } } } },
        },
      });
      const page = rows.slice(0, input.limit);
      const rater = ctx.viewer.enforced && !user ? null : raterKeyOf(user?.id ?? null);
      const mine = await ratingsBy(ctx.db, rater, [...new Set(page.map((r) => r.runId))]);
      const catalog = catalogMap(getCatalog());
      // A run's graph is parsed once for all of its images (a batch of four saves four from one graph).
      const graphs = new Map<string, Graph>();
      const items: GalleryImage[] = page.map((a) => {
        let graph = graphs.get(a.runId);
        if (!graph) graphs.set(a.runId, (graph = JSON.parse(a.run.graph) as Graph));
        return {
          artifactId: a.id, url: artifactUrl(a.id), width: a.width, height: a.height, runId: a.runId,
          workflowId: a.run.workflowId, workflowName: a.run.workflow?.name ?? null, workflowVersion: a.run.workflowVersion,
          createdAt: a.createdAt, params: imageParams(graph, a.nodeId, catalog), myRating: mine.get(a.id) ?? null,
        };
      });
      return { items, nextCursor: rows.length > input.limit ? page[page.length - 1].id : null };
    }),
});
