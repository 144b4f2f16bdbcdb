// Resolves input image names (Load Image) inside the configured input folders only.
import fs from 'node:fs';
import path from 'node:path';
import { NodeInputError } from '../engine/errors';
import { isPlainModelName } from '../engine/params';

export class InputStore {
  /** Searched in order; the first folder is where uploads land. */
  constructor(readonly roots: string[]) {}

  resolve(name: string): string {
    if (!isPlainModelName(name)) {
      throw new NodeInputError('invalid_input_file', `input image "${name}" must be a plain file name inside the input folder`, 'image');
    }
    for (const root of this.roots) {
      const base = path.resolve(root);
      const full = path.resolve(base, name);
      if (full.startsWith(base + path.sep) && fs.existsSync(full) && fs.statSync(full).isFile()) return full;
    }
    // The name only: listing the folder or its path would tell one user about other people's files.
    throw new NodeInputError('input_file_not_found', `input image "${name}" is unknown`, 'image');
  }

  list(): string[] {
    const names = new Set<string>();
    for (const root of this.roots) {
      if (!fs.existsSync(root)) continue;
      for (const e of fs.readdirSync(root, { withFileTypes: true })) {
        if (e.isFile() && /\.(png|jpe?g|webp|gif|tiff?|avif)$/i.test(e.name)) names.add(e.name);
      }
    }
    return [...names].sort();
  }
}
