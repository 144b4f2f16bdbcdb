// workflows.*: the library: create, save (new immutable version), rename, delete, versions, restore, duplicate,
// and import (a dropped file read into a graph; nothing is stored).
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { importWorkflowFile } from '../../nodes/interop/import-file';
import { WorkflowImportError } from '../../nodes/interop/errors';
import { getCatalog } from '../../nodes/registry';
import { graphProblems, parseGraphFormat } from '../graph-checks';
import { createRouter, publicProcedure } from '../trpc';
import { listTemplates, readTemplateGraph, TemplateError } from '../workflow-templates';
import {
  appendVersion, createWorkflow, EMPTY_GRAPH, findLiveWorkflow, readVersion, summarise,
} from '../workflow-store';

const id = z.string().min(1).max(100);
const name = z.string().trim().min(1, 'give the workflow a name').max(200);
const description = z.string().max(5000);
const versionNumber = z.number().int().min(1);
/** About 22 MB of file (the HTTP body limit is 32 MB): a large PNG with its embedded graph, far beyond any workflow JSON. */
const MAX_IMPORT_BASE64 = 30_000_000;

export const workflowsRouter = createRouter({
  list: publicProcedure.input(z.void()).query(async ({ ctx }) => {
    const rows = await ctx.db.workflow.findMany({ where: { deletedAt: null }, orderBy: { updatedAt: 'desc' } });
    return rows.map(summarise);
  }),

  templates: publicProcedure.input(z.void()).query(() => listTemplates()),

  get: publicProcedure
    .input(z.object({ id, version: versionNumber.optional() }))
    .query(async ({ ctx, input }) => {
      const w = await findLiveWorkflow(ctx.db, input.id);
      const version = await readVersion(ctx.db, w.id, input.version ?? w.currentVersion);
      return { ...summarise(w), version };
    }),

  create: publicProcedure
    .input(z.object({ name, description: description.optional(), graph: z.unknown().optional(), templateFile: z.string().max(200).optional() })
      .refine((v) => !(v.graph !== undefined && v.templateFile !== undefined), 'give either graph or templateFile, not both'))
    .mutation(async ({ ctx, input }) => {
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
      const w = await createWorkflow(ctx.db, { name: input.name, description: input.description, graph, message });
      return { ...summarise(w), problems: graphProblems(graph, ctx.models) };
    }),

  /** A graph with semantic problems is saved anyway (work in progress); they come back as `problems`. */
  save: publicProcedure
    .input(z.object({ id, graph: z.unknown(), message: z.string().max(1000).optional() }))
    .mutation(async ({ ctx, input }) => {
      const graph = parseGraphFormat(input.graph);
      const version = await appendVersion(ctx.db, input.id, graph, input.message ?? '');
      return { version, problems: graphProblems(graph, ctx.models) };
    }),

  rename: publicProcedure
    .input(z.object({ id, name, description: description.optional() }))
    .mutation(async ({ ctx, input }) => {
      await findLiveWorkflow(ctx.db, input.id);
      const w = await ctx.db.workflow.update({
        where: { id: input.id },
        data: { name: input.name, ...(input.description !== undefined ? { description: input.description } : {}) },
      });
      return summarise(w);
    }),

  /** Soft delete: runs keep their history; the workflow leaves the library. */
  delete: publicProcedure.input(z.object({ id })).mutation(async ({ ctx, input }) => {
    await findLiveWorkflow(ctx.db, input.id);
    await ctx.db.workflow.update({ where: { id: input.id }, data: { deletedAt: new Date() } });
    return { id: input.id, deleted: true as const };
  }),

  versions: publicProcedure.input(z.object({ id })).query(async ({ ctx, input }) => {
    await findLiveWorkflow(ctx.db, input.id);
    return ctx.db.workflowVersion.findMany({
      where: { workflowId: input.id },
      orderBy: { number: 'desc' },
      select: { number: true, message: true, createdAt: true },
    });
  }),

  restore: publicProcedure
    .input(z.object({ id, version: versionNumber }))
    .mutation(async ({ ctx, input }) => {
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
    const src = await findLiveWorkflow(ctx.db, input.id);
    const { graph } = await readVersion(ctx.db, src.id, src.currentVersion);
    const copy = await createWorkflow(ctx.db, {
      name: `${src.name} (copy)`.slice(0, 200), description: src.description, graph, message: `duplicated from ${src.name}`,
    });
    return summarise(copy);
  }),
});
