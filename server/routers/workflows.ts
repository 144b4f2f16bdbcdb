// workflows.*: the library: create, save (new immutable version), rename, delete, versions, restore, duplicate,
// and import (a dropped file read into a graph; nothing is stored).
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { importWorkflowFile } from '../../nodes/interop/import-file';
import { WorkflowImportError } from '../../nodes/interop/errors';
import { getCatalog } from '../../nodes/registry';
import { graphProblems, parseGraphFormat } from '../graph-checks';
import {
  newShareToken, ownedWorkflow, ownsWorkflow, requireUser, viewableWorkflow,
} from '../auth/access';
import { createRouter, publicProcedure } from '../trpc';
import { listTemplates, readTemplateGraph, TemplateError } from '../workflow-templates';
import {
  appendVersion, createWorkflow, EMPTY_GRAPH, readVersion, summarise,
} from '../workflow-store';

const id = z.string().min(1).max(100);
const name = z.string().trim().min(1, 'give the workflow a name').max(200);
const description = z.string().max(5000);
const versionNumber = z.number().int().min(1);
/** The share link's token (workflows shared with visibility "link"). */
const shareToken = z.string().min(1).max(200).optional();
/** About 22 MB of file (the HTTP body limit is 32 MB): a large PNG with its embedded graph, far beyond any workflow JSON. */
const MAX_IMPORT_BASE64 = 30_000_000;

export const workflowsRouter = createRouter({
  /** My library (AUTH=none: the whole library). */
  list: publicProcedure.input(z.void()).query(async ({ ctx }) => {
    const user = requireUser(ctx.viewer, 'see your library');
    const rows = await ctx.db.workflow.findMany({
      where: { deletedAt: null, ...(ctx.viewer.enforced ? { ownerId: user!.id } : {}) },
      orderBy: { updatedAt: 'desc' },
    });
    return rows.map(summarise);
  }),

  /** Everybody's public workflows, newest edit first (anyone, signed in or not). */
  explore: publicProcedure.input(z.void()).query(async ({ ctx }) => {
    const rows = await ctx.db.workflow.findMany({
      where: { deletedAt: null, visibility: 'public' }, orderBy: { updatedAt: 'desc' }, take: 200,
    });
    return rows.map(summarise);
  }),

  templates: publicProcedure.input(z.void()).query(() => listTemplates()),

  get: publicProcedure
    .input(z.object({ id, version: versionNumber.optional(), shareToken }))
    .query(async ({ ctx, input }) => {
      const w = await viewableWorkflow(ctx.db, ctx.viewer, input.id, input.shareToken);
      const version = await readVersion(ctx.db, w.id, input.version ?? w.currentVersion);
      const canEdit = ownsWorkflow(ctx.viewer, w);
      // The token is the owner's to hand out: viewers never learn it from here.
      return { ...summarise(w), canEdit, shareToken: canEdit ? w.shareToken : null, version };
    }),

  create: publicProcedure
    .input(z.object({ name, description: description.optional(), graph: z.unknown().optional(), templateFile: z.string().max(200).optional() })
      .refine((v) => !(v.graph !== undefined && v.templateFile !== undefined), 'give either graph or templateFile, not both'))
    .mutation(async ({ ctx, input }) => {
      const user = requireUser(ctx.viewer, 'create workflows');
      let source: unknown = input.graph ?? EMPTY_GRAPH;
      let message = 'created';
      if (input.templateFile) {
        try {
          source = readTemplateGraph(input.templateFile);
        } catch (e) {
          if (e instanceof TemplateError) throw new TRPCError({ code: 'NOT_FOUND', message: e.message });
          throw e;
        }
        message = `created from template ${input.templateFile}`;
      }
      const graph = parseGraphFormat(source);
      const w = await createWorkflow(ctx.db, { name: input.name, description: input.description, graph, message, ownerId: user?.id });
      return { ...summarise(w), problems: graphProblems(graph, ctx.models) };
    }),

  /** A graph with semantic problems is saved anyway (work in progress); they come back as `problems`. */
  save: publicProcedure
    .input(z.object({ id, graph: z.unknown(), message: z.string().max(1000).optional() }))
    .mutation(async ({ ctx, input }) => {
      await ownedWorkflow(ctx.db, ctx.viewer, input.id, 'save it');
      const graph = parseGraphFormat(input.graph);
      const version = await appendVersion(ctx.db, input.id, graph, input.message ?? '');
      return { version, problems: graphProblems(graph, ctx.models) };
    }),

  rename: publicProcedure
    .input(z.object({ id, name, description: description.optional() }))
    .mutation(async ({ ctx, input }) => {
      await ownedWorkflow(ctx.db, ctx.viewer, input.id, 'rename it');
      const w = await ctx.db.workflow.update({
        where: { id: input.id },
        data: { name: input.name, ...(input.description !== undefined ? { description: input.description } : {}) },
      });
      return summarise(w);
    }),

  /** Soft delete: runs keep their history; the workflow leaves the library. */
  delete: publicProcedure.input(z.object({ id })).mutation(async ({ ctx, input }) => {
    await ownedWorkflow(ctx.db, ctx.viewer, input.id, 'delete it');
    await ctx.db.workflow.update({ where: { id: input.id }, data: { deletedAt: new Date() } });
    return { id: input.id, deleted: true as const };
  }),

  versions: publicProcedure.input(z.object({ id, shareToken })).query(async ({ ctx, input }) => {
    await viewableWorkflow(ctx.db, ctx.viewer, input.id, input.shareToken);
    return ctx.db.workflowVersion.findMany({
      where: { workflowId: input.id },
      orderBy: { number: 'desc' },
      select: { number: true, message: true, createdAt: true },
    });
  }),

  restore: publicProcedure
    .input(z.object({ id, version: versionNumber }))
    .mutation(async ({ ctx, input }) => {
      await ownedWorkflow(ctx.db, ctx.viewer, input.id, 'restore a version');
      const old = await readVersion(ctx.db, input.id, input.version);
      const version = await appendVersion(ctx.db, input.id, old.graph, `restored version ${input.version}`);
      return { version };
    }),

  /**
   * Reads a dropped/uploaded file (StepFlow PNG, StepFlow graph .json, ComfyUI API .json) into a graph
   * with its import report. On the server because ComfyUI model names map onto this server's model list.
   */
  import: publicProcedure
    .input(z.object({ name: z.string().min(1).max(500), base64: z.string().max(MAX_IMPORT_BASE64) }))
    .mutation(({ ctx, input }) => {
      requireUser(ctx.viewer, 'import workflows');
      const bytes = new Uint8Array(Buffer.from(input.base64, 'base64'));
      try {
        const imported = importWorkflowFile(input.name, bytes, {
          catalog: getCatalog(),
          models: { checkpoints: ctx.models.list('checkpoints'), loras: ctx.models.list('loras'), upscalers: ctx.models.list('upscalers') },
          modelCheck: ctx.models,
        });
        const metaName = imported.graph.meta?.name;
        const fileName = input.name.split(/[\\/]/).pop()!.replace(/\.(json|png)$/i, '');
        return { name: typeof metaName === 'string' && metaName.trim() ? metaName.trim() : fileName, source: imported.source, graph: imported.graph, report: imported.report };
      } catch (e) {
        if (e instanceof WorkflowImportError) throw new TRPCError({ code: 'BAD_REQUEST', message: e.message, cause: e });
        throw e;
      }
    }),

  duplicate: publicProcedure.input(z.object({ id })).mutation(async ({ ctx, input }) => {
    const src = await ownedWorkflow(ctx.db, ctx.viewer, input.id, 'duplicate it (fork it instead)');
    const { graph } = await readVersion(ctx.db, src.id, src.currentVersion);
    const copy = await createWorkflow(ctx.db, {
      name: `${src.name} (copy)`.slice(0, 200), description: src.description, graph, message: `duplicated from ${src.name}`,
      ownerId: src.ownerId,
    });
    return summarise(copy);
  }),

  /** Copies a workflow I may view into my library, remembering where (and which version) it came from. */
  fork: publicProcedure.input(z.object({ id, shareToken })).mutation(async ({ ctx, input }) => {
    const user = requireUser(ctx.viewer, 'fork workflows into your library');
    const src = await viewableWorkflow(ctx.db, ctx.viewer, input.id, input.shareToken);
    const { graph } = await readVersion(ctx.db, src.id, src.currentVersion);
    const copy = await createWorkflow(ctx.db, {
      name: src.name, description: src.description, graph, message: `forked from ${src.name} version ${src.currentVersion}`,
      ownerId: user?.id, forkedFrom: { id: src.id, version: src.currentVersion },
    });
    return summarise(copy);
  }),

  /** Owner only. Choosing "link" creates a share link if there is none; the token comes back to the owner. */
  setVisibility: publicProcedure
    .input(z.object({ id, visibility: z.enum(['private', 'link', 'public']) }))
    .mutation(async ({ ctx, input }) => {
      const w = await ownedWorkflow(ctx.db, ctx.viewer, input.id, 'change who can see it');
      const token = input.visibility === 'link' ? (w.shareToken ?? newShareToken()) : w.shareToken;
      const u = await ctx.db.workflow.update({ where: { id: w.id }, data: { visibility: input.visibility, shareToken: token } });
      return { id: u.id, visibility: input.visibility, shareToken: u.shareToken };
    }),

  /** Owner only: a new share link; the old one stops working at once. */
  regenerateShareLink: publicProcedure.input(z.object({ id })).mutation(async ({ ctx, input }) => {
    const w = await ownedWorkflow(ctx.db, ctx.viewer, input.id, 'change its share link');
    const u = await ctx.db.workflow.update({ where: { id: w.id }, data: { shareToken: newShareToken() } });
    return { id: u.id, visibility: u.visibility as 'private' | 'link' | 'public', shareToken: u.shareToken! };
  }),

  /** Owner only: the share link stops working; a link-shared workflow becomes private. */
  revokeShareLink: publicProcedure.input(z.object({ id })).mutation(async ({ ctx, input }) => {
    const w = await ownedWorkflow(ctx.db, ctx.viewer, input.id, 'revoke its share link');
    const visibility = w.visibility === 'link' ? 'private' : w.visibility;
    await ctx.db.workflow.update({ where: { id: w.id }, data: { shareToken: null, visibility } });
    return { id: w.id, visibility: visibility as 'private' | 'link' | 'public', shareToken: null };
  }),
});
