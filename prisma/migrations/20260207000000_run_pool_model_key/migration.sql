-- Scaled mode: the worker pool a run waits for, and the models it loads (affinity routing).
ALTER TABLE "Run" ADD COLUMN "pool" TEXT NOT NULL DEFAULT 'default';
ALTER TABLE "Run" ADD COLUMN "modelKey" TEXT;
CREATE INDEX "Run_status_pool_priority_queuedAt_idx" ON "Run"("status", "pool", "priority", "queuedAt");
