// Cache keys: hash(type, version, params, upstream keys, content hash of files read).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** JSON with sorted object keys, so {a,b} and {b,a} hash the same. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
}

export interface KeyParts {
  type: string;
  version: number;
  params: Record<string, unknown>;
  /** input name -> upstream node key + output name */
  inputs: Record<string, string>;
  files: string[];
  /** Whose cache this is (a run's owner): the same graph run by two users never shares entries. */
  scope?: string;
}

export function nodeKey(parts: KeyParts, fileHashes: FileHasher): string {
  const h = createHash('sha256');
  h.update(parts.type).update('\0').update(String(parts.version)).update('\0');
  h.update(canonicalJson(parts.params)).update('\0').update(canonicalJson(parts.inputs)).update('\0');
  for (const f of parts.files) h.update(fileHashes.hash(f)).update('\0');
  if (parts.scope !== undefined) h.update('scope\0').update(parts.scope);
  return h.digest('hex');
}

/**
 * Content hashes of files (or folders, hashed over their files), memoised by size+mtime so
 * an unchanged multi-megabyte model is read once per worker, not once per run.
 */
export class FileHasher {
  private readonly memo = new Map<string, { stamp: string; hash: string }>();

  hash(file: string): string {
    const st = fs.statSync(file);
    if (st.isDirectory()) {
      const h = createHash('sha256');
      for (const name of fs.readdirSync(file).sort()) {
        h.update(name).update('\0').update(this.hash(path.join(file, name))).update('\0');
      }
      return h.digest('hex');
    }
    const stamp = `${st.size}:${st.mtimeMs}`;
    const m = this.memo.get(file);
    if (m && m.stamp === stamp) return m.hash;
    const hash = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    this.memo.set(file, { stamp, hash });
    return hash;
  }
}
