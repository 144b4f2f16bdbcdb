// Who may use which input image (AUTH=local): whoever uploaded it, everybody for the shipped examples
// (workflows/inputs/), and — through a workflow they may view — the uploads its owner put in that workflow.
// Applied when a run is enqueued (every Load Image name) and by GET /api/inputs/<name>.
import fs from 'node:fs';
import path from 'node:path';
import type { CatalogNode } from '../../nodes/engine/catalog';
import type { Graph } from '../../nodes/engine/graph';
import { isPlainModelName } from '../../nodes/engine/params';
import { getCatalog } from '../../nodes/registry';
import type { Db } from '../db';
import { workflowsDir } from '../paths';

export const EXAMPLE_INPUTS_DIR = path.join(workflowsDir, 'inputs');

let catalogByType: ReadonlyMap<string, CatalogNode> | undefined;
function catalog(): ReadonlyMap<string, CatalogNode> {
  return (catalogByType ??= new Map(getCatalog().map((n) => [n.type, n])));
}

/** Every input-image param of a graph (defaults included), with its node. */
export function inputImageUses(graph: Graph): { nodeId: string; param: string; name: string }[] {
  const uses: { nodeId: string; param: string; name: string }[] = [];
  for (const n of graph.nodes) {
    for (const p of catalog().get(n.type)?.params ?? []) {
      if (p.ui.widget !== 'image') continue;
      const v = n.params[p.name] ?? p.default;
      if (typeof v === 'string') uses.push({ nodeId: n.id, param: p.name, name: v });
    }
  }
  return uses;
}

export function isExampleInput(name: string, dir = EXAMPLE_INPUTS_DIR): boolean {
  if (!isPlainModelName(name)) return false;
  try {
    return fs.statSync(path.join(dir, name)).isFile();
  } catch {
    return false;
  }
}

/** Upload names any saved version of the workflow names, that the workflow's owner uploaded. */
async function uploadsOfWorkflow(db: Db, workflowId: string, names: string[]): Promise<Set<string>> {
  const w = await db.workflow.findFirst({ where: { id: workflowId, deletedAt: null }, select: { ownerId: true } });
  if (!w?.ownerId || names.length === 0) return new Set();
  const versions = await db.workflowVersion.findMany({ where: { workflowId }, select: { graph: true } });
  const referenced = new Set<string>();
  for (const v of versions) {
    for (const use of inputImageUses(JSON.parse(v.graph) as Graph)) referenced.add(use.name);
  }
  const wanted = names.filter((n) => referenced.has(n));
  if (wanted.length === 0) return new Set();
  // The owner's own uploads only: a workflow cannot pass on a name its owner merely knows.
  const rows = await db.upload.findMany({ where: { name: { in: wanted }, userId: w.ownerId }, select: { name: true } });
  return new Set(rows.map((r) => r.name));
}

/**
 * The names among `names` this user may not use — unknown ones included, since both answer "unknown".
 * `viaWorkflowId`: a workflow the caller has already checked this user may view.
 */
export async function unusableInputs(db: Db, userId: string | null, names: readonly string[], viaWorkflowId?: string): Promise<string[]> {
  let rest = [...new Set(names)].filter((n) => !isExampleInput(n));
  if (rest.length && userId) {
    const own = new Set((await db.upload.findMany({ where: { name: { in: rest }, userId }, select: { name: true } })).map((r) => r.name));
    rest = rest.filter((n) => !own.has(n));
  }
  if (rest.length && viaWorkflowId) {
    const shared = await uploadsOfWorkflow(db, viaWorkflowId, rest);
    rest = rest.filter((n) => !shared.has(n));
  }
  return rest;
}

/**
 * A fork keeps working: the source's owner's uploads that the forked graph names become the forker's too (rows,
 * not copies of the file), as if they had uploaded them. Only what viewing the source already gave them.
 */
export async function adoptWorkflowUploads(db: Db, userId: string, graph: Graph, sourceWorkflowId: string): Promise<void> {
  const names = inputImageUses(graph).map((u) => u.name).filter((n) => !isExampleInput(n));
  const shared = [...(await uploadsOfWorkflow(db, sourceWorkflowId, [...new Set(names)]))];
  if (shared.length === 0) return;
  const source = await db.workflow.findUnique({ where: { id: sourceWorkflowId }, select: { ownerId: true } });
  const rows = await db.upload.findMany({ where: { name: { in: shared }, userId: source?.ownerId ?? '' } });
  const mine = new Set((await db.upload.findMany({ where: { name: { in: shared }, userId }, select: { name: true } })).map((r) => r.name));
  for (const { id: _id, createdAt: _at, ...row } of rows.filter((r) => !mine.has(r.name))) {
    await db.upload.create({ data: { ...row, userId } });
  }
}
