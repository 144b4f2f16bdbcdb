-- Per-step sampler statistics on stored step previews (sigma, timestep, per-channel latent stats), for the debugger's timeline.
ALTER TABLE "Artifact" ADD COLUMN "stats" TEXT;
