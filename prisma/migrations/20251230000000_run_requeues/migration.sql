-- A run left running by a killed server goes back to the queue once when it had stored nothing (restart recovery).
ALTER TABLE "Run" ADD COLUMN "requeues" INTEGER NOT NULL DEFAULT 0;
