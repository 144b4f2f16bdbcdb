// How well a LoRA fits a checkpoint: how many of its modules (layers) find a weight of the right shape. The
// loader counts from its merge report; the picker counts from file headers alone (no weights, no onnxruntime),
// remembered per file version, so the web process can answer for a whole models/loras folder.
import fs from 'node:fs';
import path from 'node:path';
import type { LoraFitWarning } from '../engine/events';
import { readModel } from '../onnx/model-io';
import type { ModelStore } from '../runtime/models';
import { readSafetensorsHeader } from '../runtime/safetensors';
import { groupLoraKeys, type LoraComponent } from './keys';
import type { MergeReport } from './merge';
import { indexLoraTargets } from './targets';

export interface LoraFit {
  applied: number;
  total: number;
}

/** `lora`'s modules of one component that the merge applied: its modules less those it reported unmatched or mismatched. */
export function fitFromReport(report: MergeReport, lora: string, modules: number): LoraFit {
  // Keys, not issues: the same LoRA twice in a stack reports each of its keys twice.
  const failed = new Set(report.issues.filter((i) => i.lora === lora && (i.problem === 'unmatched' || i.problem === 'mismatched')).map((i) => i.key));
  return { applied: Math.max(0, modules - failed.size), total: modules };
}

export function addFit(a: LoraFit, b: LoraFit): LoraFit {
  return { applied: a.applied + b.applied, total: a.total + b.total };
}

/** The run-level warning of a LoRA that left some of its layers out; undefined when all of them were applied. */
export function loraFitWarning(lora: string, checkpoint: string, fit: LoraFit): LoraFitWarning | undefined {
  if (fit.total === 0 || fit.applied >= fit.total) return undefined;
  const message = `LoRA ${lora} applied to ${fit.applied} of ${fit.total} layers of checkpoint ${checkpoint}` +
    (fit.applied === 0 ? ' — it does not fit this model' : '');
  return { code: 'lora_fit', lora, checkpoint, applied: fit.applied, total: fit.total, message };
}

/** A weight's torch shape, as the merge compares it: out_features and in_features (in·kh·kw for a convolution). */
type Shapes = Map<string, { out: number; in: number }>;

const CHECKPOINT_PARTS: [LoraComponent, string][] = [['unet', 'unet'], ['text_encoder', 'text_encoder']];
const targetCache = new Map<string, { version: string; shapes: Shapes }>();
const loraCache = new Map<string, { version: string; modules: { component: LoraComponent; module: string; out: number; in: number }[] }>();

function version(file: string): string | undefined {
  const st = fs.statSync(file, { throwIfNoEntry: false });
  return st?.isFile() ? `${st.size}:${st.mtimeMs}` : undefined;
}

/** The patchable weights of one ONNX file, from its graph (external weights are not read). */
function targetShapes(onnxFile: string): Shapes | undefined {
  const v = version(onnxFile);
  if (!v) return undefined;
  const hit = targetCache.get(onnxFile);
  if (hit?.version === v) return hit.shapes;
  const shapes: Shapes = new Map();
  for (const [module, t] of indexLoraTargets(readModel(fs.readFileSync(onnxFile)))) shapes.set(module, { out: t.outFeatures, in: t.inFeatures });
  targetCache.set(onnxFile, { version: v, shapes });
  return shapes;
}

/** A LoRA's modules with their shapes, from its header; the same pairing rules as loadLoraFile. */
function loraModules(file: string) {
  const v = version(file);
  if (!v) return undefined;
  const hit = loraCache.get(file);
  if (hit?.version === v) return hit.modules;
  const header = readSafetensorsHeader(file);
  const modules = groupLoraKeys([...header.entries.keys()]).modules.map((m) => {
    const down = header.entries.get(m.down)!.shape;
    const up = header.entries.get(m.up)!.shape;
    return { component: m.component, module: m.module, out: up[0], in: down.slice(1).reduce((a, b) => a * b, 1) };
  });
  loraCache.set(file, { version: v, modules });
  return modules;
}

/**
 * Fit of each named LoRA against a checkpoint folder's U-Net and text encoder, counting every module of the file
 * (a component the checkpoint lacks fits nothing). A file that cannot be read is left out of the answer.
 */
export function lorasFitCheckpoint(store: ModelStore, checkpoint: string, loras: readonly string[]): Record<string, LoraFit> {
  const dir = store.resolve('checkpoints', checkpoint);
  const parts = new Map<LoraComponent, Shapes>();
  for (const [component, folder] of CHECKPOINT_PARTS) {
    const shapes = targetShapes(path.join(dir, folder, 'model.onnx'));
    if (shapes) parts.set(component, shapes);
  }
  const out: Record<string, LoraFit> = {};
  for (const name of loras) {
    let modules: ReturnType<typeof loraModules>;
    try {
      modules = loraModules(store.resolve('loras', name));
    } catch {
      continue; // not a safetensors file the loader could read either; the run says why
    }
    if (!modules) continue;
    let applied = 0;
    for (const m of modules) {
      const t = parts.get(m.component)?.get(m.module);
      if (t && t.out === m.out && t.in === m.in) applied++;
    }
    out[name] = { applied, total: modules.length };
  }
  return out;
}
