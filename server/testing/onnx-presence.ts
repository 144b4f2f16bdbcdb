// Whether a process has onnxruntime-node loaded, seen from outside (the shared libraries in /proc/<pid>/maps) and,
// run as a script, from inside: `node --import tsx onnx-presence.ts <module>...` imports the modules, prints JSON.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface OnnxPresence {
  /** onnxruntime-node / onnxruntime-common files in the CommonJS module cache (the package is CommonJS). */
  modules: string[];
  /** Mapped files of the native runtime: libonnxruntime.so* and onnxruntime_binding.node. */
  libraries: string[];
}

/** The onnxruntime files mapped into process `pid` (Linux only). */
export function onnxLibraries(pid: number | 'self'): string[] {
  const files = fs.readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n').map((line) => line.split(/\s+/).slice(5).join(' '));
  return [...new Set(files.filter((f) => f.includes('onnxruntime')))];
}

/** Child pids of `pid`, across all its threads (fork() may run on any of them). */
export function childPids(pid: number): number[] {
  return fs.readdirSync(`/proc/${pid}/task`).flatMap((tid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return []; // thread exited meanwhile
    }
  });
}

function presenceHere(): OnnxPresence {
  const modules = Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes('onnxruntime'));
  return { modules, libraries: onnxLibraries('self') };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const file of process.argv.slice(2)) await import(pathToFileURL(path.resolve(file)).href);
  process.stdout.write(`${JSON.stringify(presenceHere())}\n`);
  // The imported modules may hold handles (a database client, timers); the answer is all this process was for.
  process.exit(0);
}
