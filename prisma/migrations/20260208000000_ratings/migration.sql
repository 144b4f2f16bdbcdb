-- Ratings (1-5) of output images: one per rater and image (MOS in the monitoring).
CREATE TABLE "Rating" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "runId" TEXT NOT NULL,
    "artifactId" TEXT NOT NULL,
    "userId" TEXT,
    "raterKey" TEXT NOT NULL,
    "score" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Rating_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Rating_artifactId_fkey" FOREIGN KEY ("artifactId") REFERENCES "Artifact" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Rating_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "Rating_artifactId_raterKey_key" ON "Rating"("artifactId", "raterKey");
CREATE INDEX "Rating_runId_idx" ON "Rating"("runId");
CREATE INDEX "Rating_createdAt_idx" ON "Rating"("createdAt");
