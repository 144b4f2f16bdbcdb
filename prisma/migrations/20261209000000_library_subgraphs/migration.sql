-- Subgraphs saved to the library (palette entries), versioned like workflows.
-- CreateTable
CREATE TABLE "LibrarySubgraph" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "ownerId" TEXT,
    "currentVersion" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "LibrarySubgraph_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "LibrarySubgraphVersion" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "subgraphId" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "definition" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "LibrarySubgraphVersion_subgraphId_fkey" FOREIGN KEY ("subgraphId") REFERENCES "LibrarySubgraph" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "LibrarySubgraph_ownerId_updatedAt_idx" ON "LibrarySubgraph"("ownerId", "updatedAt");

-- CreateIndex
CREATE UNIQUE INDEX "LibrarySubgraphVersion_subgraphId_number_key" ON "LibrarySubgraphVersion"("subgraphId", "number");
