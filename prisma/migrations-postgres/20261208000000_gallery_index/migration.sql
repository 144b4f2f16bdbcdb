-- The outputs gallery (gallery.list): image artifacts newest first, without reading every artifact row.
CREATE INDEX "Artifact_kind_createdAt_idx" ON "Artifact"("kind", "createdAt");
