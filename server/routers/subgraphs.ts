// subgraphs.*: the subgraph library. A saved subgraph is a palette entry in every workflow of its owner (AUTH=none:
// the one shared library); saving it again adds a version. Workflows embed a copy pinned at a version
// (nodes/engine/graph.ts `library`) and offer "Update to vN" when a newer one exists.
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { subgraphDefinitionSchema, type SubgraphDefinition } from '../../nodes/engine/graph';
import { isSubgraph } from '../../nodes/engine/subgraph';
import { createRouter, signedInProcedure, type Context } from '../trpc';

const id = z.string().min(1).max(100);
const name = z.string().trim().min(1, 'give the subgraph a name').max(200);
/** Largest stored definition (JSON characters): a palette entry, not a whole model pack. */
const MAX_DEFINITION_CHARS = 2_000_000;

type Owner = { viewer: Context['viewer']; user: { id: string } | null };

/** Rows this caller may read and save: their own (AUTH=none: all). */
const mine = ({ viewer, user }: Owner) => (viewer.enforced ? { ownerId: user!.id } : {});

async function ownedEntry(ctx: Context & Owner, entryId: string) {
  const entry = await ctx.db.librarySubgraph.findFirst({ where: { id: entryId, ...mine(ctx) } });
  if (!entry) throw new TRPCError({ code: 'NOT_FOUND', message: `no library subgraph "${entryId}" of yours` });
  return entry;
}

/** The definition as stored: checked, without its own library pin, and with no subgraph inside (one level for now). */
function storable(definition: unknown): SubgraphDefinition {
  const parsed = subgraphDefinitionSchema.safeParse(definition);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || 'definition'}: ${i.message}`);
    throw new TRPCError({ code: 'BAD_REQUEST', message: `not a valid subgraph: ${issues.join('; ')}` });
  }
  const nested = parsed.data.nodes.find(isSubgraph);
  if (nested) {
    throw new TRPCError({ code: 'BAD_REQUEST', message: `subgraph node "${nested.id}" is inside this subgraph: unpack it before saving to the library` });
  }
  const { library: _pin, ...definition_ } = parsed.data;
  if (JSON.stringify(definition_).length > MAX_DEFINITION_CHARS) {
    throw new TRPCError({ code: 'PAYLOAD_TOO_LARGE', message: `the subgraph is larger than ${MAX_DEFINITION_CHARS} characters of JSON` });
  }
  return definition_;
}

export const subgraphsRouter = createRouter({
  /** The caller's library subgraphs, newest edit first, with their newest version's definition (palette entries). */
  list: signedInProcedure('see your subgraph library').query(async ({ ctx }) => {
    const rows = await ctx.db.librarySubgraph.findMany({
      where: mine(ctx), orderBy: { updatedAt: 'desc' }, take: 500,
      include: { versions: { orderBy: { number: 'desc' }, take: 1 } },
    });
    return rows.filter((r) => r.versions.length).map((r) => ({
      id: r.id, name: r.name, version: r.currentVersion, definition: JSON.parse(r.versions[0].definition) as SubgraphDefinition,
    }));
  }),

  /** One version (default: the newest) of a library subgraph. */
  get: signedInProcedure('use library subgraphs')
    .input(z.object({ id, version: z.number().int().min(1).optional() }))
    .query(async ({ ctx, input }) => {
      const entry = await ownedEntry(ctx, input.id);
      const number = input.version ?? entry.currentVersion;
      const row = await ctx.db.librarySubgraphVersion.findUnique({ where: { subgraphId_number: { subgraphId: entry.id, number } } });
      if (!row) throw new TRPCError({ code: 'NOT_FOUND', message: `library subgraph "${entry.name}" has no version ${number}` });
      return { id: entry.id, name: entry.name, version: number, latest: entry.currentVersion, definition: JSON.parse(row.definition) as SubgraphDefinition };
    }),

  /** Saves a definition: a new library entry, or (with `id`) a new version of one of the caller's. */
  save: signedInProcedure('save subgraphs to the library')
    .input(z.object({ id: id.optional(), name, definition: z.unknown() }))
    .mutation(async ({ ctx, input }) => {
      const definition = { ...storable(input.definition), name: input.name };
      const json = JSON.stringify(definition);
      if (input.id) {
        const entry = await ownedEntry(ctx, input.id);
        // The version number comes from the row inside the transaction, so two saves cannot take the same one.
        const version = await ctx.db.$transaction(async (tx) => {
          const updated = await tx.librarySubgraph.update({ where: { id: entry.id }, data: { name: input.name, currentVersion: { increment: 1 } } });
          await tx.librarySubgraphVersion.create({ data: { subgraphId: entry.id, number: updated.currentVersion, definition: json } });
          return updated.currentVersion;
        });
        return { id: entry.id, name: input.name, version };
      }
      const entry = await ctx.db.librarySubgraph.create({
        data: { name: input.name, ownerId: ctx.user?.id ?? null, currentVersion: 1, versions: { create: { number: 1, definition: json } } },
      });
      return { id: entry.id, name: entry.name, version: 1 };
    }),
});
