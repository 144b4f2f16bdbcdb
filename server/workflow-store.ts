// Workflow persistence: immutable versions appended atomically, summaries with thumbnails.
import { TRPCError } from '@trpc/server';
import type { Graph } from '../nodes/engine/graph';
import { artifactUrl } from './artifacts/store';
import type { Db } from './db';
import type { Workflow } from './generated/prisma/client';
import { parseTags } from './workflow-search';

export const EMPTY_GRAPH: Graph = { version: 1, nodes: [], edges: [] };

export interface WorkflowSummary {
  id: string;
  name: string;
  description: string;
  currentVersion: number;
  createdAt: Date;
  updatedAt: Date;
  thumbnailUrl: string | null;
  tags: string[];
  /** null on AUTH=none rows. */
  ownerId: string | null;
  /** The owner's username when the query included it (explore, shared), else null. */
  ownerName: string | null;
  visibility: 'private' | 'link' | 'public';
  forkedFromId: string | null;
  forkedFromVersion: number | null;
}

export function summarise(w: Workflow & { owner?: { username: string } | null }): WorkflowSummary {
  return {
    id: w.id,
    name: w.name,
    description: w.description,
    currentVersion: w.currentVersion,
    createdAt: w.createdAt,
    updatedAt: w.updatedAt,
    // The 256 px WebP when there is one; rows from before thumbnails show the full output.
    thumbnailUrl: w.thumbnailArtifactId ?? w.lastOutputArtifactId ? artifactUrl((w.thumbnailArtifactId ?? w.lastOutputArtifactId)!) : null,
    tags: parseTags(w.tags),
    ownerId: w.ownerId,
    ownerName: w.owner?.username ?? null,
    visibility: w.visibility as WorkflowSummary['visibility'],
    forkedFromId: w.forkedFromId,
    forkedFromVersion: w.forkedFromVersion,
  };
}

export async function findLiveWorkflow(db: Db, id: string): Promise<Workflow> {
  const w = await db.workflow.findFirst({ where: { id, deletedAt: null } });
  if (!w) throw new TRPCError({ code: 'NOT_FOUND', message: `no workflow "${id}" (it may have been deleted)` });
  return w;
}

export async function createWorkflow(
  db: Db,
  data: {
    name: string; description?: string; graph: Graph; message?: string; tags?: string[];
    ownerId?: string | null; forkedFrom?: { id: string; version: number };
  },
): Promise<Workflow> {
  return db.workflow.create({
    data: {
      ownerId: data.ownerId ?? null,
      forkedFromId: data.forkedFrom?.id ?? null,
      forkedFromVersion: data.forkedFrom?.version ?? null,
      name: data.name,
      description: data.description ?? '',
      tags: JSON.stringify(data.tags ?? []),
      currentVersion: 1,
      versions: {
        create: { number: 1, graph: JSON.stringify(data.graph), message: data.message ?? 'created', authorId: data.ownerId ?? null },
      },
    },
  });
}

/** Appends version currentVersion+1 and moves the pointer, in one transaction. */
export async function appendVersion(db: Db, workflowId: string, graph: Graph, message: string, authorId: string | null = null): Promise<number> {
  return db.$transaction(async (tx) => {
    // Increment first: on PostgreSQL the update locks the row until commit, so two saves at once get numbers n+1
    // and n+2 instead of both reading n and one failing on the unique (workflowId, number). (SQLite runs one
    // writing transaction at a time, where read-then-write was enough.)
    const moved = await tx.workflow.updateMany({ where: { id: workflowId, deletedAt: null }, data: { currentVersion: { increment: 1 } } });
    if (moved.count !== 1) throw new TRPCError({ code: 'NOT_FOUND', message: `no workflow "${workflowId}" (it may have been deleted)` });
    const { currentVersion: number } = await tx.workflow.findUniqueOrThrow({ where: { id: workflowId }, select: { currentVersion: true } });
    await tx.workflowVersion.create({ data: { workflowId, number, graph: JSON.stringify(graph), message, authorId } });
    return number;
  });
}

export async function readVersion(db: Db, workflowId: string, number: number) {
  const v = await db.workflowVersion.findUnique({
    where: { workflowId_number: { workflowId, number } }, include: { author: { select: { username: true } } },
  });
  if (!v) throw new TRPCError({ code: 'NOT_FOUND', message: `workflow "${workflowId}" has no version ${number}` });
  return {
    number: v.number, graph: JSON.parse(v.graph) as Graph, message: v.message, createdAt: v.createdAt, author: v.author?.username ?? null,
  };
}
