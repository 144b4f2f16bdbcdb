// Makes sure a production build of the Next.js app exists and is newer than its sources,
// so `npm start` on a fresh clone builds once, then starts fast.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from './paths';

/** What the browser bundle is built from (every runtime import of app/ outside app/ and nodes/ is listed); a newer file here means the build is stale. */
export const SOURCES = ['app', 'nodes', 'server/socket-types.ts', 'server/workflow-search.ts', 'next.config.ts', 'package-lock.json'];

function newestMtime(p: string): number {
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const e of fs.readdirSync(p, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(path.join(p, e.name)));
  }
  return newest;
}

export function nextBuildIsCurrent(root = projectRoot): boolean {
  const buildId = path.join(root, '.next', 'BUILD_ID');
  if (!fs.existsSync(buildId)) return false;
  const built = fs.statSync(buildId).mtimeMs;
  return SOURCES.every((s) => newestMtime(path.join(root, s)) <= built);
}

export async function ensureNextBuild(log: (m: string) => void, root = projectRoot): Promise<void> {
  if (nextBuildIsCurrent(root)) return;
  log('building the web app (next build); this happens once after install or after the app changes…');
  const bin = path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next');
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'build'], {
      cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
    });
    child.on('error', reject);
    child.on('exit', resolve);
  });
  if (code !== 0) {
    throw new Error(`next build failed (exit code ${code}); fix the errors above, or run in development mode with \`npm run dev\``);
  }
}
