// Brings the built-in model pack in MODELS_DIR up to date before serving (a no-op when it is),
// in a child process so model generation never runs on the server's event loop or memory.
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import type { Log } from './log';
import { projectRoot } from './paths';

export async function ensureModelPack(modelsDir: string, log: Log): Promise<void> {
  const cli = path.join(projectRoot, 'nodes', 'pack', 'cli.ts');
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, '--out', modelsDir], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    // The generator's progress becomes log lines of this process (one JSON line each).
    readline.createInterface({ input: child.stdout! }).on('line', (line) => log(line, { component: 'model-pack' }));
    readline.createInterface({ input: child.stderr! }).on('line', (line) => log(line, { component: 'model-pack', level: 'warn' }));
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) {
    throw new Error(`the built-in model pack could not be generated into ${modelsDir} (exit code ${code}); see the messages above, then run \`npm run models\``);
  }
  log(`model pack in ${modelsDir} is ready`);
}
