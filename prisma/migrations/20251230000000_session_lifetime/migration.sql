-- Sessions get an absolute lifetime (SESSION_MAX_DAYS from sign-in), so the sign-in time is stored, and an index
-- for the purge of expired rows. Older rows never recorded their sign-in; the start of their current 30-day term
-- (expiresAt - 30 days: the sign-in or the last renewal) is the nearest time known.
-- RedefineTables
CREATE TABLE "new_Session" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Session" ("id", "userId", "expiresAt", "createdAt")
    SELECT "id", "userId", "expiresAt", strftime('%Y-%m-%dT%H:%M:%f+00:00', "expiresAt", '-30 days') FROM "Session";
DROP TABLE "Session";
ALTER TABLE "new_Session" RENAME TO "Session";

-- CreateIndex
CREATE INDEX "Session_userId_idx" ON "Session"("userId");
CREATE INDEX "Session_expiresAt_idx" ON "Session"("expiresAt");
