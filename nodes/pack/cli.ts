// `npm run models`: generates the built-in model pack into MODELS_DIR (or --out), or checks it.
import fs from 'node:fs';
import path from 'node:path';
import { defaultModelsDir } from '../paths';
import { ensurePack, stalePackParts, type PackProgress } from './generate';

const USAGE = `usage: npm run models -- [--out <dir>] [--force] [--check]
  (no option)   generate the parts of the pack that are missing, corrupt or out of date into MODELS_DIR
                (default <project>/models); does nothing when the pack is up to date
  --out <dir>   use <dir> as the models directory
  --force       regenerate every part
  --check       only report; exit 1 when some part would be regenerated`;

interface PackCliArgs {
  out: string;
  force: boolean;
  check: boolean;
}

export function parsePackArgs(argv: readonly string[]): PackCliArgs | 'help' {
  const args: PackCliArgs = { out: defaultModelsDir(), force: false, check: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') return 'help';
    if (a === '--force') args.force = true;
    else if (a === '--check') args.check = true;
    else if (a === '--out' || a.startsWith('--out=')) {
      const v = a === '--out' ? argv[++i] : a.slice(6);
      if (!v) throw new Error('--out needs a directory');
      args.out = path.resolve(v);
    } else throw new Error(`unknown argument "${a}"`);
  }
  return args;
}

function mb(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MB`;
}

function report(p: PackProgress): void {
  if (p.phase === 'skip') console.log(`  ${p.part}: up to date`);
  else if (p.phase === 'start') console.log(`  ${p.part}: generating (${p.reason})`);
  else console.log(`  ${p.part}: ${p.files.length} files in ${(p.ms / 1000).toFixed(1)} s`);
}

async function main(argv: readonly string[]): Promise<number> {
  let args: PackCliArgs | 'help';
  try {
    args = parsePackArgs(argv);
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args === 'help') {
    console.log(USAGE);
    return 0;
  }
  if (args.check) {
    const stale = stalePackParts(args.out);
    for (const s of stale) console.log(`  ${s.part}: ${s.reason}`);
    console.log(stale.length ? `model pack in ${args.out} needs regeneration: run npm run models` : `model pack in ${args.out} is up to date`);
    return stale.length ? 1 : 0;
  }
  console.log(`model pack -> ${args.out}`);
  const result = await ensurePack(args.out, { force: args.force, onProgress: report });
  const files = Object.keys(result.manifest.files);
  const bytes = files.reduce((n, rel) => n + fs.statSync(path.join(args.out, rel)).size, 0);
  const what = result.generated.length ? `generated ${result.generated.join(', ')}` : 'up to date, nothing generated';
  console.log(`model pack: ${what}; ${files.length} files, ${mb(bytes)}, ${(result.ms / 1000).toFixed(1)} s`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
