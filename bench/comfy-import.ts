// ComfyUI import of prompts whose ids all sanitise to the same StepFlow id: time per node should stay flat as
// the prompt grows (id de-duplication was quadratic). `npx tsx bench/comfy-import.ts` or part of `npm run bench`.
import { importComfyWorkflow } from '../nodes/interop/comfyui';

/** `count` distinct ids ("n" + two CJK characters, non-word) that all become empty_latent_n_. */
export function collidingPrompt(count: number): Record<string, unknown> {
  const prompt: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) {
    const id = `n${String.fromCharCode(0x4e00 + (i % 250), 0x4e00 + Math.floor(i / 250))}`;
    prompt[id] = { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 } };
  }
  return prompt;
}

export function benchComfyImport(sizes = [5_000, 50_000]): { nodes: number; ms: number; usPerNode: number }[] {
  return sizes.map((nodes) => {
    const prompt = collidingPrompt(nodes);
    const t0 = performance.now();
    importComfyWorkflow(prompt);
    const ms = performance.now() - t0;
    return { nodes, ms, usPerNode: (ms * 1000) / nodes };
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of benchComfyImport()) console.log(`${String(r.nodes).padStart(6)} colliding ids: ${r.ms.toFixed(0)} ms (${r.usPerNode.toFixed(1)} µs/node)`);
}
