// Session cache keys: a model file's path plus its size and mtime, so a regenerated file is never
// served from a session loaded before it changed.
import fs from 'node:fs';

export function sessionKey(role: string, file: string): string {
  const st = fs.statSync(file);
  return `${role}:${file}@${st.size}:${Math.round(st.mtimeMs)}`;
}
