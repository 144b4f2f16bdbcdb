-- Uploads belong to each uploader: one row per (file, user), so the same bytes uploaded by two users are owned by both.
-- RedefineTables
CREATE TABLE "new_Upload" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "userId" TEXT,
    "originalName" TEXT NOT NULL,
    "mime" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "width" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Upload_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Upload" ("id", "name", "userId", "originalName", "mime", "size", "width", "height", "createdAt")
SELECT 'u' || lower(hex(randomblob(12))), "name", "userId", "originalName", "mime", "size", "width", "height", "createdAt" FROM "Upload";
DROP TABLE "Upload";
ALTER TABLE "new_Upload" RENAME TO "Upload";

-- CreateIndex
CREATE UNIQUE INDEX "Upload_name_userId_key" ON "Upload"("name", "userId");
CREATE INDEX "Upload_userId_createdAt_idx" ON "Upload"("userId", "createdAt");
