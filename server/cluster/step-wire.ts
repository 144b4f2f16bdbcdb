// How a worker host's watched steps cross HTTP to the server (op "steps" of the worker API): JSON with each latent as
// base64 of its float32 bytes (little-endian). Not blobs: the blob store takes images only, and steps are not kept
// by content. Requests are cut to stay well under the API's record size limit.
import type { StepLatents } from '../../nodes/engine/step-latents';

export type WireStep = Omit<StepLatents, 'x0' | 'latent'> & { x0: string; latent?: string };

/** Base64 characters per request (the worker API takes records up to 16 MB). */
const MAX_CHARS = 8 * 1024 * 1024;

function floatsToBase64(a: Float32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

/** Float32 values of base64 bytes, or undefined when the byte count is not a whole number of floats. */
function base64ToFloats(text: unknown): Float32Array | undefined {
  if (typeof text !== 'string') return undefined;
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length % 4) return undefined;
  return new Float32Array(new Uint8Array(bytes).buffer); // copied: aligned, and no longer tied to Buffer's pool
}

/** The steps as wire objects, grouped into requests. */
export function stepsToWire(steps: StepLatents[]): WireStep[][] {
  const requests: WireStep[][] = [];
  let current: WireStep[] = [];
  let chars = 0;
  for (const s of steps) {
    const wire: WireStep = { ...s, x0: floatsToBase64(s.x0), latent: s.latent && floatsToBase64(s.latent) };
    const size = wire.x0.length + (wire.latent?.length ?? 0);
    if (current.length && chars + size > MAX_CHARS) {
      requests.push(current);
      current = [];
      chars = 0;
    }
    current.push(wire);
    chars += size;
  }
  if (current.length) requests.push(current);
  return requests;
}

/** A wire step with its latents decoded, still to be checked (protocol-schema's parseStepList). */
export function stepFromWire(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null) return raw;
  const w = raw as Record<string, unknown>;
  return { ...w, x0: base64ToFloats(w.x0), latent: w.latent === undefined ? undefined : base64ToFloats(w.latent) };
}
