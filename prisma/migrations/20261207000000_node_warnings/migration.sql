-- Run-level warnings of a node (JSON RunWarning[] from node:finished, e.g. a LoRA that fits none of the checkpoint's layers); null = none.
ALTER TABLE "NodeResult" ADD COLUMN "warnings" TEXT;
