-- Accounts and sharing (AUTH=local): users, sessions, workflow owners/visibility/share links/fork provenance, run owners.
-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "username" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "isAdmin" BOOLEAN NOT NULL DEFAULT false
);

-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    CONSTRAINT "Session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- AlterTable
ALTER TABLE "Workflow" ADD COLUMN "ownerId" TEXT REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "Workflow" ADD COLUMN "visibility" TEXT NOT NULL DEFAULT 'private';
ALTER TABLE "Workflow" ADD COLUMN "shareToken" TEXT;
ALTER TABLE "Workflow" ADD COLUMN "forkedFromId" TEXT;
ALTER TABLE "Workflow" ADD COLUMN "forkedFromVersion" INTEGER;

-- AlterTable
ALTER TABLE "Run" ADD COLUMN "userId" TEXT REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- CreateIndex
CREATE UNIQUE INDEX "User_username_key" ON "User"("username");
CREATE INDEX "Session_userId_idx" ON "Session"("userId");
CREATE INDEX "Workflow_ownerId_deletedAt_idx" ON "Workflow"("ownerId", "deletedAt");
CREATE INDEX "Workflow_visibility_deletedAt_idx" ON "Workflow"("visibility", "deletedAt");
CREATE UNIQUE INDEX "Workflow_shareToken_key" ON "Workflow"("shareToken");
CREATE INDEX "Run_userId_queuedAt_idx" ON "Run"("userId", "queuedAt");
