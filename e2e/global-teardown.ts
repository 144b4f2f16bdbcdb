// Removes the throw-away data directory the e2e server used (database, artifacts, inputs).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export default function globalTeardown() {
  const dir = process.env.E2E_DATA_DIR;
  // Only ever delete what playwright.config.ts created under the temp directory.
  if (dir && path.dirname(dir) === os.tmpdir() && path.basename(dir).startsWith('stepflow-e2e-')) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
