// workflows.*: the library: create, save (new immutable version), rename, delete, versions, restore, duplicate,
// and import (a dropped file read into a graph; nothing is stored). New workflows and copies get unique names.
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { importWorkflowFile } from '../../nodes/interop/import-file';
import { WorkflowImportError } from '../../nodes/interop/errors';
import { getCatalog } from '../../nodes/registry';
import { checkGraphSize, graphLimits, graphProblems, parseGraphFormat } from '../graph-checks';
import { limitError } from '../limits/limit-error';
import { adoptWorkflowUploads } from '../inputs/access';
import { mayViewWorkflow, newShareToken, ownsWorkflow } from '../auth/access';
import type { Workflow } from '../generated/prisma/client';
import { MAX_UPLOAD_BASE64 } from '../limits/trpc-body';
import {
  createRouter, publicProcedure, signedInProcedure, signedInWorkflowViewerProcedure, workflowOwnerProcedure, workflowViewerProcedure,
  type Context,
} from '../trpc';
import { matchesQuery, parseTags, tagsSchema } from '../workflow-search';
import { drawRandomizedSeeds } from '../queue/seed-controls';
import { listTemplates, readTemplateGraph, TemplateError } from '../workflow-templates';
import { copyName, uniqueName } from '../workflow-names';
import {
  appendVersion, createWorkflow, EMPTY_GRAPH, readVersion, summarise,
} from '../workflow-store';

const id = z.string().min(1).max(100);
const name = z.string().trim().min(1, 'give the workflow a name').max(200);
const description = z.string().max(5000);
const versionNumber = z.number().int().min(1);
/** The share link's token (workflows shared with visibility "link"). */
const shareToken = z.string().min(1).max(200).optional();
/** Library search: words match name, description and tags; "#tag" or "tag:tag" match tags only. */
const search = z.object({ query: z.string().max(200).optional() }).optional();
/** Owner names for cards of other people's workflows. */
const withOwner = { owner: { select: { username: true } } } as const;

/**
 * Names in the library a new workflow of `ownerId` lands in (AUTH=none: the one shared library), so a copy never
 * sits beside an identically named one. Not a database constraint: two creations at the same instant may still tie.
 */
async function takenNames(ctx: Context, ownerId: string | null): Promise<string[]> {
  const rows = await ctx.db.workflow.findMany({
    where: { deletedAt: null, ...(ctx.viewer.enforced ? { ownerId } : {}) }, select: { name: true },
  });
  return rows.map((r) => r.name);
}

export const workflowsRouter = createRouter({
  /** My library (AUTH=none: the whole library). */
  list: signedInProcedure('see your library').input(search).query(async ({ ctx, input }) => {
    const user = ctx.user;
    const rows = await ctx.db.workflow.findMany({
      where: { deletedAt: null, ...(ctx.viewer.enforced ? { ownerId: user!.id } : {}) },
      orderBy: { updatedAt: 'desc' },
      include: withOwner,
    });
    return rows.map(summarise).filter((w) => matchesQuery(w, input?.query));
  }),

  /** Everybody's public workflows, newest edit first (anyone, signed in or not). */
  explore: publicProcedure.input(search).query(async ({ ctx, input }) => {
    const rows = await ctx.db.workflow.findMany({
      where: { deletedAt: null, visibility: 'public' }, orderBy: { updatedAt: 'desc' }, take: 500, include: withOwner,
    });
    return rows.map(summarise).filter((w) => matchesQuery(w, input?.query)).slice(0, 200);
  }),

  /**
   * Other people's workflows I opened through a share link, last visit first, with the token to reopen them.
   * A revoked or regenerated link drops out (unless the workflow has become public).
   */
  shared: publicProcedure.input(search).query(async ({ ctx, input }) => {
    const user = ctx.viewer.user;
    if (!ctx.viewer.enforced || !user) return [];
    const visits = await ctx.db.workflowVisit.findMany({
      where: { userId: user.id, workflow: { deletedAt: null } },
      orderBy: { visitedAt: 'desc' },
      include: { workflow: { include: withOwner } },
      take: 500,
    });
    return visits
      .filter((v) => v.workflow.ownerId !== user.id && mayViewWorkflow(ctx.viewer, v.workflow, v.shareToken))
      .map((v) => {
        const w = summarise(v.workflow);
        // The card's image is the owner's output: readable by this visitor only with the link's token.
        const thumbnailUrl = w.thumbnailUrl && `${w.thumbnailUrl}?share=${encodeURIComponent(v.shareToken)}`;
        return { ...w, thumbnailUrl, shareToken: v.shareToken, visitedAt: v.visitedAt };
      })
      .filter((w) => matchesQuery(w, input?.query));
  }),

  templates: publicProcedure.input(z.void()).query(() => listTemplates()),

  get: workflowViewerProcedure
    .input(z.object({ id, version: versionNumber.optional(), shareToken }))
    .query(async ({ ctx, input }) => {
      const w = ctx.workflow;
      const version = await readVersion(ctx.db, w.id, input.version ?? w.currentVersion);
      const canEdit = ownsWorkflow(ctx.viewer, w);
      const user = ctx.viewer.user;
      if (ctx.viewer.enforced && user && !canEdit && input.shareToken && w.visibility === 'link') {
        // Remembered for the "Shared with link" tab (only links that worked: viewableWorkflow checked the token).
        await ctx.db.workflowVisit.upsert({
          where: { userId_workflowId: { userId: user.id, workflowId: w.id } },
          create: { userId: user.id, workflowId: w.id, shareToken: input.shareToken },
          update: { shareToken: input.shareToken, visitedAt: new Date() },
        });
      }
      const owner = w.ownerId ? await ctx.db.user.findUnique({ where: { id: w.ownerId }, select: { username: true } }) : null;
      return {
        ...summarise({ ...w, owner }),
        canEdit,
        // The token is the owner's to hand out: viewers never learn it from here.
        shareToken: canEdit ? w.shareToken : null,
        forkedFrom: await forkSource(ctx, w),
        version,
      };
    }),

  /** Owner only. Replaces the workflow's tags (normalised: lower case, no duplicates). */
  setTags: workflowOwnerProcedure('change its tags')
    .input(z.object({ id, tags: tagsSchema }))
    .mutation(async ({ ctx, input }) => {
      // Raw update: tags are not an edit of the graph, so the library order (updatedAt) stays.
      await ctx.db.$executeRaw`UPDATE "Workflow" SET "tags" = ${JSON.stringify(input.tags)} WHERE "id" = ${input.id}`;
      return { id: input.id, tags: input.tags };
    }),

  create: signedInProcedure('create workflows')
    .input(z.object({
      name, description: description.optional(), graph: z.unknown().optional(), templateFile: z.string().max(200).optional(),
      /** The first version's message (an editor draft's first save). */
      message: z.string().max(1000).optional(),
    })
      .refine((v) => !(v.graph !== undefined && v.templateFile !== undefined), 'give either graph or templateFile, not both'))
    .mutation(async ({ ctx, input }) => {
      const user = ctx.user;
      let source: unknown = input.graph ?? EMPTY_GRAPH;
      let message = input.message?.trim() || 'created';
      if (input.templateFile) {
        try {
          source = readTemplateGraph(input.templateFile);
        } catch (e) {
          if (e instanceof TemplateError) throw new TRPCError({ code: 'NOT_FOUND', message: e.message });
          throw e;
        }
        message = `created from template ${input.templateFile}`;
      }
      const limits = graphLimits(ctx.env);
      const parsed = parseGraphFormat(source, limits);
      const graph = input.templateFile ? drawRandomizedSeeds(parsed) : parsed;
      const ownerId = user?.id ?? null;
      const unique = uniqueName(input.name, await takenNames(ctx, ownerId));
      const w = await createWorkflow(ctx.db, { name: unique, description: input.description, graph, message, ownerId });
      return { ...summarise(w), problems: graphProblems(graph, ctx.models, limits) };
    }),

  /** A graph with semantic problems is saved anyway (work in progress); they come back as `problems`. */
  save: workflowOwnerProcedure('save it')
    .input(z.object({ id, graph: z.unknown(), message: z.string().max(1000).optional() }))
    .mutation(async ({ ctx, input }) => {
      const limits = graphLimits(ctx.env);
      const graph = parseGraphFormat(input.graph, limits);
      const version = await appendVersion(ctx.db, input.id, graph, input.message ?? '', ctx.viewer.user?.id ?? null);
      return { version, problems: graphProblems(graph, ctx.models, limits) };
    }),

  rename: workflowOwnerProcedure('rename it')
    .input(z.object({ id, name, description: description.optional() }))
    .mutation(async ({ ctx, input }) => {
      const w = await ctx.db.workflow.update({
        where: { id: input.id },
        data: { name: input.name, ...(input.description !== undefined ? { description: input.description } : {}) },
      });
      return summarise(w);
    }),

  /** Soft delete: runs keep their history; the workflow leaves the library. */
  delete: workflowOwnerProcedure('delete it').input(z.object({ id })).mutation(async ({ ctx, input }) => {
    await ctx.db.workflow.update({ where: { id: input.id }, data: { deletedAt: new Date() } });
    await ctx.accessChanges.publish({ kind: 'workflow', workflowId: input.id });
    return { id: input.id, deleted: true as const };
  }),

  versions: workflowViewerProcedure.input(z.object({ id, shareToken })).query(async ({ ctx, input }) => {
    const rows = await ctx.db.workflowVersion.findMany({
      where: { workflowId: input.id },
      orderBy: { number: 'desc' },
      select: { number: true, message: true, createdAt: true, author: { select: { username: true } } },
    });
    return rows.map(({ author, ...v }) => ({ ...v, author: author?.username ?? null }));
  }),

  restore: workflowOwnerProcedure('restore a version')
    .input(z.object({ id, version: versionNumber }))
    .mutation(async ({ ctx, input }) => {
      const old = await readVersion(ctx.db, input.id, input.version);
      const version = await appendVersion(ctx.db, input.id, old.graph, `restored version ${input.version}`, ctx.viewer.user?.id ?? null);
      return { version };
    }),

  /**
   * Reads a dropped/uploaded file (StepFlow PNG, StepFlow graph .json, ComfyUI API .json) into a graph
   * with its import report. On the server because ComfyUI model names map onto this server's model list.
   */
  import: signedInProcedure('import workflows')
    .input(z.object({ name: z.string().min(1).max(500), base64: z.string().max(MAX_UPLOAD_BASE64, 'workflow files up to 20 MB can be imported') }))
    .mutation(({ ctx, input }) => {
      const bytes = new Uint8Array(Buffer.from(input.base64, 'base64'));
      const limits = graphLimits(ctx.env);
      try {
        const imported = importWorkflowFile(input.name, bytes, {
          catalog: getCatalog(),
          models: { checkpoints: ctx.models.list('checkpoints'), loras: ctx.models.list('loras'), upscalers: ctx.models.list('upscalers'), controlnet: ctx.models.list('controlnet') },
          modelCheck: ctx.models,
          limits: { maxNodes: limits.maxNodes, maxEdges: limits.maxEdges },
        });
        checkGraphSize(imported.graph, limits);
        const metaName = imported.graph.meta?.name;
        const fileName = input.name.split(/[\\/]/).pop()!.replace(/\.(json|png)$/i, '');
        return { name: typeof metaName === 'string' && metaName.trim() ? metaName.trim() : fileName, source: imported.source, graph: imported.graph, report: imported.report };
      } catch (e) {
        if (e instanceof WorkflowImportError && (e.code === 'too_many_nodes' || e.code === 'too_many_edges')) {
          const [name, value] = e.code === 'too_many_nodes' ? ['MAX_GRAPH_NODES', limits.maxNodes] as const : ['MAX_GRAPH_EDGES', limits.maxEdges] as const;
          throw limitError('BAD_REQUEST', name, value, `${name} (${value}): ${e.message}`);
        }
        if (e instanceof WorkflowImportError) throw new TRPCError({ code: 'BAD_REQUEST', message: e.message, cause: e });
        throw e;
      }
    }),

  duplicate: workflowOwnerProcedure('duplicate it (fork it instead)').input(z.object({ id })).mutation(async ({ ctx }) => {
    const src = ctx.workflow;
    const { graph } = await readVersion(ctx.db, src.id, src.currentVersion);
    const copy = await createWorkflow(ctx.db, {
      name: copyName(src.name, 'copy', await takenNames(ctx, src.ownerId)), description: src.description, graph, message: `duplicated from ${src.name}`,
      ownerId: src.ownerId, tags: parseTags(src.tags),
    });
    return summarise(copy);
  }),

  /** Copies a workflow I may view into my library, remembering where (and which version) it came from. */
  fork: signedInWorkflowViewerProcedure('fork workflows into your library').input(z.object({ id, shareToken })).mutation(async ({ ctx }) => {
    const { user, workflow: src } = ctx;
    const { graph } = await readVersion(ctx.db, src.id, src.currentVersion);
    const copy = await createWorkflow(ctx.db, {
      name: copyName(src.name, 'fork', await takenNames(ctx, user?.id ?? null)), description: src.description, graph,
      message: `forked from ${src.name} version ${src.currentVersion}`,
      ownerId: user?.id ?? null, forkedFrom: { id: src.id, version: src.currentVersion }, tags: parseTags(src.tags),
    });
    if (user) await adoptWorkflowUploads(ctx.db, user.id, graph, src.id);
    return summarise(copy);
  }),

  /**
   * Owner only. Choosing "link" creates a share link if there is none; the token comes back to the owner.
   * Leaving "link" drops the token, so link → private → link hands out a new link and the old one stays dead.
   */
  setVisibility: workflowOwnerProcedure('change who can see it')
    .input(z.object({ id, visibility: z.enum(['private', 'link', 'public']) }))
    .mutation(async ({ ctx, input }) => {
      const w = ctx.workflow;
      const token = input.visibility === 'link' ? (w.shareToken ?? newShareToken()) : null;
      const u = await ctx.db.workflow.update({ where: { id: w.id }, data: { visibility: input.visibility, shareToken: token } });
      await ctx.accessChanges.publish({ kind: 'workflow', workflowId: w.id });
      return { id: u.id, visibility: input.visibility, shareToken: u.shareToken };
    }),

  /** Owner only: a new share link; the old one stops working at once. */
  regenerateShareLink: workflowOwnerProcedure('change its share link').input(z.object({ id })).mutation(async ({ ctx }) => {
    const w = ctx.workflow;
    const u = await ctx.db.workflow.update({ where: { id: w.id }, data: { shareToken: newShareToken() } });
    await ctx.accessChanges.publish({ kind: 'workflow', workflowId: w.id });
    return { id: u.id, visibility: u.visibility as 'private' | 'link' | 'public', shareToken: u.shareToken! };
  }),

  /** Owner only: the share link stops working; a link-shared workflow becomes private. */
  revokeShareLink: workflowOwnerProcedure('revoke its share link').input(z.object({ id })).mutation(async ({ ctx }) => {
    const w = ctx.workflow;
    const visibility = w.visibility === 'link' ? 'private' : w.visibility;
    await ctx.db.workflow.update({ where: { id: w.id }, data: { shareToken: null, visibility } });
    await ctx.accessChanges.publish({ kind: 'workflow', workflowId: w.id });
    return { id: w.id, visibility: visibility as 'private' | 'link' | 'public', shareToken: null };
  }),
});

/**
 * Provenance of a fork: the source's name while it exists. `viewable` says whether this viewer may open it
 * (a private source stays a name, not a link).
 */
async function forkSource(ctx: Context, w: Workflow) {
  if (!w.forkedFromId) return null;
  const src = await ctx.db.workflow.findFirst({ where: { id: w.forkedFromId, deletedAt: null } });
  return {
    id: w.forkedFromId,
    version: w.forkedFromVersion,
    name: src?.name ?? null,
    viewable: Boolean(src && mayViewWorkflow(ctx.viewer, src)),
  };
}
