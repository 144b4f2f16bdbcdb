// subgraphs.*: the subgraph library. A saved subgraph is a palette entry in every workflow of its owner (AUTH=none:
// the one shared library) and, when its owner makes it public, in everyone's palette, read-only for them (as public
// workflows are in Explore); saving it again adds a version. A stored version is a bundle: the definition plus the
// nested definitions its inner subgraph nodes use (nodes/engine/library-bundle.ts). Workflows embed a copy pinned at
// a version (nodes/engine/graph.ts `library`) and offer "Update to vN" when a newer one exists. Delete is soft: the
// entry leaves every palette, while workflows that use it keep their embedded copy, which runs as before.
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { subgraphDefinitionSchema, type SubgraphDefinition } from '../../nodes/engine/graph';
import { assertNoLibraryCycle, bundleSubgraph, LibraryBundleError, type LibraryBundle } from '../../nodes/engine/library-bundle';
import type { LibrarySubgraph } from '../generated/prisma/client';
import { createRouter, signedInProcedure, type Context } from '../trpc';

const id = z.string().min(1).max(100);
const name = z.string().trim().min(1, 'give the subgraph a name').max(200);
/** Largest stored bundle (JSON characters): a palette entry, not a whole model pack. */
const MAX_DEFINITION_CHARS = 2_000_000;
/** Most nested definitions one library subgraph may carry. */
const MAX_NESTED = 200;

type Visibility = 'private' | 'public';
type Caller = Context & { user: { id: string } | null };

/** What the caller may do with an entry: its owner everything (AUTH=none: everyone), others read a public one. */
function accessTo(ctx: Caller, entry: LibrarySubgraph): 'owner' | 'reader' | null {
  if (!ctx.viewer.enforced || entry.ownerId === ctx.user?.id) return 'owner';
  return entry.visibility === 'public' ? 'reader' : null;
}

/** Unknown, deleted and not shared look the same, so ids of private entries cannot be probed. */
async function viewableEntry(ctx: Caller, entryId: string) {
  const entry = await ctx.db.librarySubgraph.findFirst({ where: { id: entryId, deletedAt: null } });
  const access = entry && accessTo(ctx, entry);
  if (!entry || !access) throw new TRPCError({ code: 'NOT_FOUND', message: `no library subgraph "${entryId}" (it may have been deleted, or it is not shared with you)` });
  return { entry, access };
}

async function ownedEntry(ctx: Caller, entryId: string, doing: string) {
  const { entry, access } = await viewableEntry(ctx, entryId);
  if (access !== 'owner') {
    throw new TRPCError({ code: 'FORBIDDEN', message: `only the owner of library subgraph "${entry.name}" may ${doing}; add it to a workflow and save that copy to make your own` });
  }
  return entry;
}

const badRequest = (message: string) => new TRPCError({ code: 'BAD_REQUEST', message });

function parsed<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || what}: ${i.message}`);
  throw badRequest(`not a valid subgraph: ${issues.join('; ')}`);
}

const nestedSchema = z.record(id, subgraphDefinitionSchema).refine((r) => Object.keys(r).length <= MAX_NESTED, `at most ${MAX_NESTED} nested subgraphs`);

/**
 * The bundle as stored: checked, the definition without its own library pin and named as the entry, with exactly
 * the nested definitions it uses (each keeps its pin: where it came from, and what the cycle check reads).
 */
function storable(definition: unknown, nested: unknown, entryName: string): LibraryBundle {
  const def = parsed(subgraphDefinitionSchema, definition, 'definition');
  const defs = parsed(nestedSchema, nested ?? {}, 'subgraphs');
  const { library: _pin, ...top } = def;
  let bundle: LibraryBundle;
  try {
    bundle = bundleSubgraph({ ...top, name: entryName }, defs);
  } catch (e) {
    if (e instanceof LibraryBundleError) throw badRequest(e.message);
    throw e;
  }
  if (stored(bundle).length > MAX_DEFINITION_CHARS) {
    throw new TRPCError({ code: 'PAYLOAD_TOO_LARGE', message: `the subgraph is larger than ${MAX_DEFINITION_CHARS} characters of JSON` });
  }
  return bundle;
}

/** One version row's JSON: the definition, with `subgraphs` beside its fields when it nests any. */
function stored(bundle: LibraryBundle): string {
  return JSON.stringify(Object.keys(bundle.subgraphs).length ? { ...bundle.definition, subgraphs: bundle.subgraphs } : bundle.definition);
}

/** A version row read back, named as its entry is now (renaming adds no version). */
function readBundle(json: string, entryName: string): LibraryBundle {
  const { subgraphs = {}, ...definition } = JSON.parse(json) as SubgraphDefinition & { subgraphs?: Record<string, SubgraphDefinition> };
  return { definition: { ...definition, name: entryName }, subgraphs };
}

const visibility = z.enum(['private', 'public']);

export const subgraphsRouter = createRouter({
  /**
   * Palette entries: the caller's library subgraphs and the public ones of others (`mine` false: read-only), newest
   * edit first, each with its newest version. Deleted entries are never listed.
   */
  list: signedInProcedure('see your subgraph library').query(async ({ ctx }) => {
    const where = ctx.viewer.enforced ? { deletedAt: null, OR: [{ ownerId: ctx.user!.id }, { visibility: 'public' }] } : { deletedAt: null };
    const rows = await ctx.db.librarySubgraph.findMany({
      where, orderBy: { updatedAt: 'desc' }, take: 500,
      include: { versions: { orderBy: { number: 'desc' }, take: 1 }, owner: { select: { username: true } } },
    });
    return rows.filter((r) => r.versions.length).map((r) => ({
      id: r.id, name: r.name, version: r.currentVersion,
      mine: accessTo(ctx, r) === 'owner', owner: r.owner?.username ?? null, visibility: r.visibility as Visibility,
      ...readBundle(r.versions[0].definition, r.name),
    }));
  }),

  /** One version (default: the newest) of a library subgraph the caller owns or that is public. */
  get: signedInProcedure('use library subgraphs')
    .input(z.object({ id, version: z.number().int().min(1).optional() }))
    .query(async ({ ctx, input }) => {
      const { entry } = await viewableEntry(ctx, input.id);
      const number = input.version ?? entry.currentVersion;
      const row = await ctx.db.librarySubgraphVersion.findUnique({ where: { subgraphId_number: { subgraphId: entry.id, number } } });
      if (!row) throw new TRPCError({ code: 'NOT_FOUND', message: `library subgraph "${entry.name}" has no version ${number}` });
      return { id: entry.id, name: entry.name, version: number, latest: entry.currentVersion, ...readBundle(row.definition, entry.name) };
    }),

  /**
   * Saves a definition with the nested definitions it uses (`subgraphs`, by the keys its inner subgraph nodes name):
   * a new library entry, or (with `id`) a new version of one of the caller's. A bundle holding a copy of the entry it
   * is saved to is refused (the library would contain itself).
   */
  save: signedInProcedure('save subgraphs to the library')
    .input(z.object({ id: id.optional(), name, definition: z.unknown(), subgraphs: z.unknown().optional() }))
    .mutation(async ({ ctx, input }) => {
      const bundle = storable(input.definition, input.subgraphs, input.name);
      if (input.id) {
        const entry = await ownedEntry(ctx, input.id, 'save new versions of it');
        try {
          assertNoLibraryCycle(entry.id, input.name, bundle);
        } catch (e) {
          if (e instanceof LibraryBundleError) throw badRequest(e.message);
          throw e;
        }
        // The version number comes from the row inside the transaction, so two saves cannot take the same one.
        const version = await ctx.db.$transaction(async (tx) => {
          const updated = await tx.librarySubgraph.update({ where: { id: entry.id }, data: { name: input.name, currentVersion: { increment: 1 } } });
          await tx.librarySubgraphVersion.create({ data: { subgraphId: entry.id, number: updated.currentVersion, definition: stored(bundle) } });
          return updated.currentVersion;
        });
        return { id: entry.id, name: input.name, version };
      }
      const entry = await ctx.db.librarySubgraph.create({
        data: { name: input.name, ownerId: ctx.user?.id ?? null, currentVersion: 1, versions: { create: { number: 1, definition: stored(bundle) } } },
      });
      return { id: entry.id, name: entry.name, version: 1 };
    }),

  /** Owner only. The palette shows the new name at once; copies already in workflows keep theirs. */
  rename: signedInProcedure('rename library subgraphs')
    .input(z.object({ id, name }))
    .mutation(async ({ ctx, input }) => {
      const entry = await ownedEntry(ctx, input.id, 'rename it');
      await ctx.db.librarySubgraph.update({ where: { id: entry.id }, data: { name: input.name } });
      return { id: entry.id, name: input.name };
    }),

  /**
   * Owner only. Soft delete: the entry leaves every palette (its sharing too); workflows that use it keep the copy
   * they embed, so they open and run unchanged, and no longer offer updates.
   */
  delete: signedInProcedure('delete library subgraphs')
    .input(z.object({ id }))
    .mutation(async ({ ctx, input }) => {
      const entry = await ownedEntry(ctx, input.id, 'delete it');
      await ctx.db.librarySubgraph.update({ where: { id: entry.id }, data: { deletedAt: new Date() } });
      return { id: entry.id, deleted: true as const };
    }),

  /** Owner only: "public" puts the entry in every signed-in user's palette (read-only for them), "private" takes it back. */
  setVisibility: signedInProcedure('share library subgraphs')
    .input(z.object({ id, visibility }))
    .mutation(async ({ ctx, input }) => {
      const entry = await ownedEntry(ctx, input.id, 'change who can see it');
      await ctx.db.librarySubgraph.update({ where: { id: entry.id }, data: { visibility: input.visibility } });
      return { id: entry.id, visibility: input.visibility };
    }),
});
