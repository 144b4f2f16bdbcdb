-- Prompt-cache hits and misses of a run's text encoders, shown with the run and counted in /metrics.
ALTER TABLE "Run" ADD COLUMN "promptCacheHits" INTEGER;
ALTER TABLE "Run" ADD COLUMN "promptCacheMisses" INTEGER;
