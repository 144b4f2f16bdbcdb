// Brings the built-in model pack in MODELS_DIR up to date before serving (a no-op when it is),
// in a child process so model generation never runs on the server's event loop or memory.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from './paths';

export async function ensureModelPack(modelsDir: string, log: (m: string) => void): Promise<void> {
  const cli = path.join(projectRoot, 'nodes', 'pack', 'cli.ts');
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, '--out', modelsDir], { cwd: projectRoot, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', resolve);
  });
  if (code !== 0) {
    throw new Error(`the built-in model pack could not be generated into ${modelsDir} (exit code ${code}); see the messages above, then run \`npm run models\``);
  }
  log(`model pack in ${modelsDir} is ready`);
}
