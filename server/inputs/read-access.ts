// Who may GET /api/inputs/<name> (AUTH=local): the rule of inputs/access.ts — its uploaders (session cookie or
// API token), anyone for shipped examples, viewers of a workflow that uses it (`?workflow=<id>&share=<token>`) —
// plus worker hosts presenting WORKER_TOKEN, which fetch whatever input a run they were given needs.
import type http from 'node:http';
import { mayViewWorkflow } from '../auth/access';
import { identifyRequest } from '../auth/api-token';
import type { Db } from '../db';
import { bearerMatches } from '../cluster/worker-token';
import { isExampleInput, unusableInputs } from './access';

export type InputReadCheck = (req: http.IncomingMessage, name: string) => Promise<boolean>;

export function createInputReadCheck(db: Db, opts: { enforced: boolean; workerToken?: string }): InputReadCheck {
  return async (req, name) => {
    if (!opts.enforced || isExampleInput(name)) return true;
    if (opts.workerToken && bearerMatches(req.headers.authorization, opts.workerToken)) return true;
    const who = await identifyRequest(db, req.headers);
    const user = who.kind === 'cookie' || who.kind === 'bearer' ? who.user : null;
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
    const workflowId = query.get('workflow');
    let via: string | undefined;
    if (workflowId) {
      const w = await db.workflow.findFirst({ where: { id: workflowId, deletedAt: null } });
      if (w && mayViewWorkflow({ enforced: true, user }, w, query.get('share') ?? undefined)) via = w.id;
    }
    return (await unusableInputs(db, user?.id ?? null, [name], via)).length === 0;
  };
}
