-- Dynamic batching: how a sampler node ran (JSON {"size": n} or {"size": 1, "reason": "..."}); null = not dispatched in a batch.
ALTER TABLE "NodeResult" ADD COLUMN "batch" TEXT;
