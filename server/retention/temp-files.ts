// Start-up cleanup of temporary files left by a crash mid-write: the artifact and upload stores write
// `<final name>.<pid>.<random>.tmp` and rename it into place, so any `*.tmp` under their folders at start is an orphan.
import fs from 'node:fs';
import path from 'node:path';

export interface TempCleanup { files: number; bytes: number; paths: string[] }

/** Only call before this process writes anything there (nothing else writes into DATA_DIR). */
export async function removeOrphanTempFiles(dataDir: string): Promise<TempCleanup> {
  const found: string[] = [];
  // artifacts/<sha[0:2]>/<sha>.<ext> and inputs/<name>: two levels are the whole layout.
  await collect(path.join(dataDir, 'artifacts'), 2, found);
  await collect(path.join(dataDir, 'inputs'), 1, found);
  const out: TempCleanup = { files: 0, bytes: 0, paths: [] };
  for (const file of found) {
    const size = await fs.promises.stat(file).then((s) => s.size, () => 0);
    await fs.promises.rm(file, { force: true });
    out.files++;
    out.bytes += size;
    out.paths.push(path.relative(dataDir, file));
  }
  return out;
}

async function collect(dir: string, depth: number, found: string[]): Promise<void> {
  const entries = await fs.promises.readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isFile() && e.name.endsWith('.tmp')) found.push(full);
    else if (e.isDirectory() && depth > 1) await collect(full, depth - 1, found);
  }
}
