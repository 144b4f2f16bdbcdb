// Next.js configuration for StepFlow's browser app (app/); the custom server (server/main.ts) hosts it.
import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // Native/server-only packages: never bundle them (the app imports only pure modules from nodes/).
  serverExternalPackages: [
    'onnxruntime-node', 'sharp', 'better-sqlite3', '@prisma/client', '@prisma/adapter-better-sqlite3',
    'socket.io', '@tensorflow/tfjs', '@upscalerjs/esrgan-slim',
  ],
  // The dev badge sits over the canvas corner and intercepts clicks meant for the editor.
  devIndicators: false,
  // Type errors are caught by `npm run typecheck` (tsc over the whole project), which `npm test` (and so CI) runs first.
  typescript: { ignoreBuildErrors: true },
  poweredByHeader: false,
};

export default nextConfig;
