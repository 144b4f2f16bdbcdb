// Size and one-line summaries of socket values (cache accounting, events, inspection).
const FIXED_OBJECT_BYTES = 1024;

/** Bytes held by typed arrays reachable from a value (models count as a small fixed size). */
export function valueBytes(value: unknown, seen = new Set<unknown>()): number {
  if (value === null || typeof value !== 'object' || seen.has(value)) return 0;
  seen.add(value);
  if (ArrayBuffer.isView(value)) return value.byteLength;
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + valueBytes(v, seen), 0);
  let n = 0;
  for (const v of Object.values(value)) n += valueBytes(v, seen);
  return Math.max(n, FIXED_OBJECT_BYTES);
}

function dimsOf(value: unknown): number[] | undefined {
  const v = value as { dims?: unknown; samples?: { dims?: unknown }; embeddings?: { dims?: unknown } };
  const d = v?.dims ?? v?.samples?.dims ?? v?.embeddings?.dims;
  return Array.isArray(d) ? (d as number[]) : undefined;
}

export function summarize(type: string, value: unknown): string {
  const dims = dimsOf(value);
  if (dims) return `${type} ${dims.join('x')}`;
  const m = value as { name?: string; provider?: string; loras?: { name: string }[] };
  if (m && typeof m === 'object' && m.name) {
    const loras = m.loras?.length ? ` + ${m.loras.map((l) => l.name).join(', ')}` : '';
    return `${type} ${m.name}${loras}${m.provider ? ` (${m.provider})` : ''}`;
  }
  return type;
}
