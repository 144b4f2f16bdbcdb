import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['nodes/**/*.test.ts', 'server/**/*.test.ts', 'prisma/**/*.test.ts', 'app/**/*.test.ts'],
    // Model-pack generation and ONNX sessions are CPU-heavy on a 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
  },
});
