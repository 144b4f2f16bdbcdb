// A library subgraph travels as a bundle: its definition plus every definition its inner subgraph nodes use, directly
// or deeper down (keys as in the graph it was saved from), so a stored version is complete on its own. Bundling
// refuses a definition that uses one the graph lacks or that contains itself; the library refuses a bundle holding a
// copy of the entry it is saved to (library cycle). Installing renames the nested keys into a workflow's definitions.
import type { SubgraphDefinition } from './graph';
import { isSubgraph } from './subgraph';

export interface LibraryBundle {
  definition: SubgraphDefinition;
  /** The nested definitions by key: exactly those the definition uses, at any depth. */
  subgraphs: Record<string, SubgraphDefinition>;
}

export class LibraryBundleError extends Error {
  constructor(readonly code: 'unknown_subgraph' | 'subgraph_cycle' | 'library_cycle', message: string) {
    super(message);
    this.name = 'LibraryBundleError';
  }
}

const usedKeys = (def: SubgraphDefinition) =>
  def.nodes.filter(isSubgraph).map((n) => ({ node: n.id, key: n.subgraph }));

/** `definition` with the nested definitions it uses from `defs`; throws LibraryBundleError naming the node. */
export function bundleSubgraph(definition: SubgraphDefinition, defs: Readonly<Record<string, SubgraphDefinition>>): LibraryBundle {
  const subgraphs: Record<string, SubgraphDefinition> = {};
  const visit = (def: SubgraphDefinition, chain: readonly string[]) => {
    for (const { node, key } of usedKeys(def)) {
      const nested = key === undefined || !Object.hasOwn(defs, key) ? undefined : defs[key];
      if (!nested || key === undefined) {
        throw new LibraryBundleError('unknown_subgraph', key === undefined
          ? `subgraph node "${node}" inside "${def.name}" names no definition`
          : `subgraph node "${node}" inside "${def.name}" uses definition "${key}", which is missing`);
      }
      if (chain.includes(key)) {
        const names = [...chain, key].map((k) => (k === '' ? definition.name : defs[k].name));
        throw new LibraryBundleError('subgraph_cycle', `subgraph "${nested.name}" contains itself (${names.join(' → ')})`);
      }
      if (Object.hasOwn(subgraphs, key)) continue;
      subgraphs[key] = nested;
      visit(nested, [...chain, key]);
    }
  };
  // The top definition has no key of its own here: '' stands for it in the chain.
  visit(definition, ['']);
  return { definition, subgraphs };
}

/**
 * Refuses a bundle saved to library entry `entryId` that holds a copy of that entry (pinned to it) at any depth:
 * the library would then contain itself once the copy is updated.
 */
export function assertNoLibraryCycle(entryId: string, entryName: string, bundle: LibraryBundle): void {
  for (const [key, def] of Object.entries(bundle.subgraphs)) {
    if (def.library?.id !== entryId) continue;
    const holder = [bundle.definition, ...Object.values(bundle.subgraphs)].find((d) => usedKeys(d).some((u) => u.key === key));
    const node = holder && usedKeys(holder).find((u) => u.key === key)!.node;
    throw new LibraryBundleError('library_cycle',
      `library subgraph "${entryName}" cannot contain itself: node "${node ?? key}" inside "${holder?.name ?? entryName}" is a copy of it (version ${def.library.version}); unpack or remove it first`);
  }
}

/**
 * The bundle's nested definitions added to `defs` under keys free there (`subgraph`, `subgraph_2`, …), their inner
 * references renamed to match. Returns the new definitions and the top definition with its references renamed.
 */
export function installBundle(bundle: LibraryBundle, defs: Readonly<Record<string, SubgraphDefinition>>): { definition: SubgraphDefinition; subgraphs: Record<string, SubgraphDefinition> } {
  const taken = new Set(Object.keys(defs));
  const renamed = new Map<string, string>();
  for (const key of Object.keys(bundle.subgraphs)) {
    let next = 'subgraph';
    for (let i = 2; taken.has(next); i++) next = `subgraph_${i}`;
    taken.add(next);
    renamed.set(key, next);
  }
  const rewrite = (def: SubgraphDefinition): SubgraphDefinition => ({
    ...def,
    nodes: def.nodes.map((n) => (isSubgraph(n) && n.subgraph !== undefined && renamed.has(n.subgraph) ? { ...n, subgraph: renamed.get(n.subgraph) } : n)),
  });
  const subgraphs = { ...defs };
  for (const [key, def] of Object.entries(bundle.subgraphs)) subgraphs[renamed.get(key)!] = rewrite(def);
  return { definition: rewrite(bundle.definition), subgraphs };
}
