-- Subgraphs saved to the library (palette entries), versioned like workflows.
-- CreateTable
CREATE TABLE "LibrarySubgraph" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "ownerId" TEXT,
    "currentVersion" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "LibrarySubgraph_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LibrarySubgraphVersion" (
    "id" TEXT NOT NULL,
    "subgraphId" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "definition" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LibrarySubgraphVersion_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "LibrarySubgraph_ownerId_updatedAt_idx" ON "LibrarySubgraph"("ownerId", "updatedAt");

-- CreateIndex
CREATE UNIQUE INDEX "LibrarySubgraphVersion_subgraphId_number_key" ON "LibrarySubgraphVersion"("subgraphId", "number");

-- AddForeignKey
ALTER TABLE "LibrarySubgraph" ADD CONSTRAINT "LibrarySubgraph_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LibrarySubgraphVersion" ADD CONSTRAINT "LibrarySubgraphVersion_subgraphId_fkey" FOREIGN KEY ("subgraphId") REFERENCES "LibrarySubgraph"("id") ON DELETE CASCADE ON UPDATE CASCADE;
