-- Library subgraphs: shared with every user (visibility "public") and soft-deleted (pinned workflows keep their copy).
ALTER TABLE "LibrarySubgraph" ADD COLUMN "visibility" TEXT NOT NULL DEFAULT 'private';
ALTER TABLE "LibrarySubgraph" ADD COLUMN "deletedAt" DATETIME;

-- CreateIndex
CREATE INDEX "LibrarySubgraph_visibility_deletedAt_idx" ON "LibrarySubgraph"("visibility", "deletedAt");
