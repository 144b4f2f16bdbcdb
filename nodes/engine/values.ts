// Size and one-line summaries of socket values (cache accounting, events, inspection).
import { channelStats, type ChannelStats, type Tensor } from '../runtime/tensor';
const FIXED_OBJECT_BYTES = 1024;

/** Bytes held by typed arrays reachable from a value (models count as a small fixed size). */
export function valueBytes(value: unknown, seen = new Set<unknown>()): number {
  if (value === null || typeof value !== 'object' || seen.has(value)) return 0;
  seen.add(value);
  if (ArrayBuffer.isView(value)) return value.byteLength;
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + valueBytes(v, seen), 0);
  // Class instances are models (sessions, tokenizers): the runtime budgets their memory, and walking a tokenizer's
  // ~100k vocabulary entries on every run cost about as much as sampling a batched run's latent.
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return FIXED_OBJECT_BYTES;
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

/** Structured facts about an output for the editor's inspector (small: no pixel data). */
export interface OutputDetails {
  dims?: number[];
  /** Per-channel statistics of a LATENT (its samples). */
  stats?: ChannelStats[];
  /** CONDITIONING: the prompt's tokens (first 77 kept), id and emphasis weight. */
  tokens?: { id: number; text: string; weight: number }[];
  prompt?: string;
  /** Models: where they came from and what ran them. */
  model?: { name: string; file: string; provider: string; loras: { name: string; strength: number }[] };
}

const MAX_TOKENS = 77;

export function describeValue(type: string, value: unknown): OutputDetails | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const d: OutputDetails = {};
  const dims = dimsOf(value);
  if (dims) d.dims = [...dims];
  if (type === 'LATENT') {
    const samples = (value as { samples?: Tensor }).samples;
    if (samples?.dims?.length === 4) d.stats = channelStats(samples);
  }
  if (type === 'CONDITIONING') {
    const c = value as { tokens?: { id: number; text: string; weight: number }[]; prompt?: string };
    if (Array.isArray(c.tokens)) d.tokens = c.tokens.slice(0, MAX_TOKENS).map((t) => ({ id: t.id, text: t.text, weight: t.weight }));
    if (typeof c.prompt === 'string') d.prompt = c.prompt;
  }
  const m = value as { name?: unknown; file?: unknown; provider?: unknown; loras?: { name: string; strength: number }[] };
  if (typeof m.name === 'string' && typeof m.file === 'string') {
    d.model = {
      name: m.name, file: m.file, provider: String(m.provider ?? ''),
      loras: (m.loras ?? []).map((l) => ({ name: l.name, strength: l.strength })),
    };
  }
  return Object.keys(d).length ? d : undefined;
}
