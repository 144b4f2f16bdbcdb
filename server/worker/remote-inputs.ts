// A remote worker's copy of the server's input images: before a run, every input-image param of the graph that
// is not in the worker's own input folders is downloaded from the server's /api/inputs/<name> into them.
import fs from 'node:fs';
import path from 'node:path';
import type { CatalogNode } from '../../nodes/engine/catalog';
import type { Graph } from '../../nodes/engine/graph';
import { isPlainModelName } from '../../nodes/engine/params';

/** The input-image file names a graph reads (params with the `image` widget, defaults included). */
export function inputImagesOf(graph: Graph, catalog: ReadonlyMap<string, CatalogNode>): string[] {
  const names = new Set<string>();
  for (const n of graph.nodes) {
    for (const p of catalog.get(n.type)?.params ?? []) {
      if (p.ui.widget !== 'image') continue;
      const v = n.params[p.name] ?? p.default;
      if (typeof v === 'string' && isPlainModelName(v)) names.add(v);
    }
  }
  return [...names];
}

/**
 * Downloads the missing ones into `intoDir`. Failures are left to the node, which names the missing file
 * when it runs; the returned list says what was fetched.
 */
export async function fetchMissingInputs(
  names: readonly string[], inputDirs: readonly string[], intoDir: string, server: URL, log: (m: string) => void, workerToken?: string,
): Promise<string[]> {
  const fetched: string[] = [];
  for (const name of names) {
    if (inputDirs.some((d) => fs.existsSync(path.join(d, name)))) continue;
    try {
      // With accounts on, uploads are served to their owners only; the worker token opens every one.
      const headers: Record<string, string> = workerToken ? { Authorization: `Bearer ${workerToken}` } : {};
      const res = await fetch(new URL(`/api/inputs/${encodeURIComponent(name)}`, server), { headers });
      if (!res.ok) {
        log(`input image "${name}" is not on the server either (${res.status})`);
        continue;
      }
      const file = path.join(intoDir, name);
      await fs.promises.mkdir(path.dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      await fs.promises.writeFile(tmp, new Uint8Array(await res.arrayBuffer()));
      await fs.promises.rename(tmp, file);
      fetched.push(name);
    } catch (e) {
      log(`could not fetch input image "${name}": ${(e as Error).message}`);
    }
  }
  return fetched;
}
