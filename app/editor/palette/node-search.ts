// Ranking catalog nodes against what the user types in the palette or quick-add box: exact and prefix
// title matches first, then other tools' names (aliases), then param names, then loose matches.
import type { CatalogNode } from '../../../nodes/engine/catalog';

export type SearchableNode = Pick<CatalogNode, 'type' | 'title' | 'category' | 'description' | 'aliases' | 'params'>;

/** Better matches have lower tiers; Enter in quick-add takes the first hit. */
export const MatchTier = { Exact: 0, Prefix: 1, Alias: 2, Param: 3, Fuzzy: 4 } as const;
export type MatchTier = (typeof MatchTier)[keyof typeof MatchTier];

export interface SearchHit<T extends SearchableNode> {
  node: T;
  tier: MatchTier;
  /** The alias or param that matched (Alias / Param tiers), to show why the node is listed. */
  via?: string;
}

/** Lower case, words split on spaces, underscores and punctuation ("empty_latent" reads as "empty latent"). */
function words(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
}

/** Letters and digits only, so "KSamplerAdvanced", "ksampler advanced" and "KSampler (Advanced)" compare equal. */
function compact(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Each character of `needle` appears in `hay` in order ("smplr" in "sampler"). */
function isSubsequence(needle: string, hay: string): boolean {
  let i = 0;
  for (const c of hay) if (c === needle[i]) i++;
  return i === needle.length;
}

/** How well `node` matches `query` (tier, then a finer rank within it), or null when it does not match. */
export function matchNode(node: SearchableNode, query: string): { tier: MatchTier; rank: number; via?: string } | null {
  const q = words(query);
  if (!q) return { tier: MatchTier.Fuzzy, rank: 0 };
  const title = words(node.title);
  if (title === q || words(node.type) === q) return { tier: MatchTier.Exact, rank: 0 };
  if (title.startsWith(q) || words(node.type).startsWith(q)) return { tier: MatchTier.Prefix, rank: 0 };
  if (` ${title}`.includes(` ${q}`)) return { tier: MatchTier.Prefix, rank: 1 };

  const cq = compact(query);
  const aliases = node.aliases ?? [];
  for (const [rank, test] of [(a: string) => a === cq, (a: string) => a.startsWith(cq), (a: string) => a.includes(cq)].entries()) {
    const alias = aliases.find((a) => test(compact(a)));
    if (alias) return { tier: MatchTier.Alias, rank, via: alias };
  }

  for (const p of node.params) {
    const names = [words(p.name), words(p.ui.label ?? '')].filter(Boolean);
    if (names.some((n) => n === q)) return { tier: MatchTier.Param, rank: 0, via: p.ui.label ?? p.name };
  }
  for (const p of node.params) {
    const names = [words(p.name), words(p.ui.label ?? '')].filter(Boolean);
    if (names.some((n) => ` ${n}`.includes(` ${q}`))) return { tier: MatchTier.Param, rank: 1, via: p.ui.label ?? p.name };
  }

  const hay = words([node.title, node.type, node.category, node.description, ...aliases, ...node.params.map((p) => `${p.name} ${p.ui.label ?? ''}`)].join(' '));
  if (q.split(' ').every((w) => hay.includes(w))) return { tier: MatchTier.Fuzzy, rank: 0 };
  // A typo-tolerant last resort on the title, only for queries long enough to mean something.
  if (cq.length >= 3 && isSubsequence(cq, compact(node.title))) return { tier: MatchTier.Fuzzy, rank: 1 };
  return null;
}

/**
 * The nodes matching `query`, best first; ties keep catalog order. An empty query lists every node with the
 * `recent` types first (most recent first), so the node added last is one Enter away.
 */
export function searchNodes<T extends SearchableNode>(catalog: readonly T[], query: string, recent: readonly string[] = []): SearchHit<T>[] {
  const recency = (type: string) => {
    const i = recent.indexOf(type);
    return i < 0 ? recent.length : i;
  };
  const hits = catalog.flatMap((node, index) => {
    const m = matchNode(node, query);
    return m ? [{ node, tier: m.tier, via: m.via, rank: m.rank, index }] : [];
  });
  const empty = !words(query);
  hits.sort((a, b) => a.tier - b.tier || a.rank - b.rank || (empty ? recency(a.node.type) - recency(b.node.type) : 0) || a.index - b.index);
  return hits.map(({ node, tier, via }) => (via === undefined ? { node, tier } : { node, tier, via }));
}

/** A wire being dropped: from an output (`source`) or an input (`target`), carrying `type` (unknown: anything). */
export interface DroppedWire {
  side: 'source' | 'target';
  type?: string;
}

/**
 * Whether `node` can take the wire: an input of its type when the wire comes from an output, an output of its type
 * when it comes from an input. ANY sockets (reroutes) fit every type, and a wire of unknown type fits any socket.
 */
export function fitsWire(node: Pick<CatalogNode, 'inputs' | 'outputs'>, wire: DroppedWire): boolean {
  const sockets = wire.side === 'source' ? node.inputs : node.outputs;
  return sockets.some((s) => !wire.type || wire.type === 'ANY' || s.type === 'ANY' || s.type === wire.type);
}
