// Merges LoRAs into an ONNX model's weights: W += strength · (alpha / rank) · up · down, laid out the way the
// initializer stores W (transposed for MatMul), accumulated in float32 and written back once in the
// initializer's own dtype, so a stack of LoRAs on a float16 model rounds once.
import { getInitializerFloat32, setInitializerFloat32, type ModelProto } from '../onnx/model-io';
import type { LoraComponent } from './keys';
import type { LoraFile, LoraModule } from './lora-file';
import { indexLoraTargets, type LoraTarget } from './targets';

export interface LoraApplication {
  /** Shown in reports (the file name under models/loras). */
  name: string;
  lora: LoraFile;
  strength: number;
}

export interface MergeIssue {
  lora: string;
  /** The file's key (the down matrix for a module). */
  key: string;
  /**
   * unmatched: no weight of the model has this module's name; mismatched: the weight exists with other
   * dimensions (a LoRA for another base model); unrecognised: not a LoRA tensor this loader knows.
   */
  problem: 'unmatched' | 'mismatched' | 'unrecognised';
  detail?: string;
}

export interface MergeReport {
  /** Initializers changed, with the modules ("<lora>: <module>") that changed them. */
  patched: { initializer: string; node: string; modules: string[] }[];
  issues: MergeIssue[];
  /** Modules left for another component's merge (text encoder keys while merging the U-Net). */
  otherComponents: { lora: string; component: LoraComponent; modules: number }[];
}

/**
 * Applies every module of `component` from each LoRA to `model` in place. `baseDir` is the model's folder,
 * needed when the weights live in an external data file. Modules of other components are left alone.
 */
export function mergeLoras(model: ModelProto, component: LoraComponent, stack: readonly LoraApplication[], baseDir?: string): MergeReport {
  const targets = indexLoraTargets(model);
  const pending = new Map<string, { target: LoraTarget; weights: Float32Array; modules: string[] }>();
  const report: MergeReport = { patched: [], issues: [], otherComponents: [] };
  for (const { name, lora, strength } of stack) {
    for (const key of lora.unrecognised) report.issues.push({ lora: name, key, problem: 'unrecognised' });
    const others = new Map<LoraComponent, number>();
    for (const m of lora.modules) {
      if (m.component !== component) {
        others.set(m.component, (others.get(m.component) ?? 0) + 1);
        continue;
      }
      const target = targets.get(m.module);
      if (!target) {
        report.issues.push({ lora: name, key: m.key, problem: 'unmatched' });
        continue;
      }
      if (target.outFeatures !== m.outFeatures || target.inFeatures !== m.inFeatures) {
        report.issues.push({
          lora: name, key: m.key, problem: 'mismatched',
          detail: `[${m.outFeatures} x ${m.inFeatures}] vs ${target.initializer} (${target.node}) [${target.outFeatures} x ${target.inFeatures}]`,
        });
        continue;
      }
      if (strength === 0) continue;
      let entry = pending.get(target.initializer);
      if (!entry) {
        entry = { target, weights: getInitializerFloat32(model, target.initializer, baseDir), modules: [] };
        pending.set(target.initializer, entry);
      }
      addDelta(entry.weights, target, m, strength * (m.alpha / m.rank));
      entry.modules.push(`${name}: ${m.module}`);
    }
    for (const [c, modules] of others) report.otherComponents.push({ lora: name, component: c, modules });
  }
  for (const [initializer, { target, weights, modules }] of pending) {
    setInitializerFloat32(model, initializer, weights);
    report.patched.push({ initializer, node: target.node, modules });
  }
  return report;
}

/** W += scale · up[out, r] · down[r, in], row by row so the inner loop runs over contiguous memory. */
export function addDelta(weights: Float32Array, target: LoraTarget, m: LoraModule, scale: number): void {
  const out = m.outFeatures;
  const inF = m.inFeatures;
  const row = new Float64Array(inF);
  for (let o = 0; o < out; o++) {
    row.fill(0);
    for (let r = 0; r < m.rank; r++) {
      const u = m.up[o * m.rank + r] * scale;
      if (u === 0) continue;
      const base = r * inF;
      for (let k = 0; k < inF; k++) row[k] += u * m.down[base + k];
    }
    if (target.layout === 'out-in') {
      const base = o * inF;
      for (let k = 0; k < inF; k++) weights[base + k] += row[k];
    } else {
      for (let k = 0; k < inF; k++) weights[k * out + o] += row[k];
    }
  }
}
