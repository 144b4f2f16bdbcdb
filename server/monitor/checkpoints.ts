// Which checkpoints a run used, read from the graph it ran (MOS per checkpoint): every checkpoint_loader's ckpt_name,
// once each; a bypassed loader loaded nothing. A run whose stored graph cannot be read names none.

export function checkpointsOf(graphJson: string): string[] {
  let graph: unknown;
  try {
    graph = JSON.parse(graphJson);
  } catch {
    return [];
  }
  const nodes = (graph as { nodes?: unknown }).nodes;
  if (!Array.isArray(nodes)) return [];
  const names = new Set<string>();
  for (const n of nodes as { type?: unknown; mode?: unknown; params?: { ckpt_name?: unknown } }[]) {
    if (n?.type !== 'checkpoint_loader' || n.mode === 'bypass') continue;
    const name = n.params?.ckpt_name;
    if (typeof name === 'string' && name) names.add(name);
  }
  return [...names].sort();
}
