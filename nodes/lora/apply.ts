// Applies one more LoRA to a loaded model value (MODEL or CLIP): the whole stack is merged into the base
// weights again (base + earlier LoRAs + this one), and the model is rebuilt on the merged session.
import type { OnnxRuntime } from '../runtime/onnx';
import type { ModelStore } from '../runtime/models';
import { readSafetensorsHeader } from '../runtime/safetensors';
import { groupLoraKeys, type LoraComponent } from './keys';
import type { MergeIssue, MergeReport } from './merge';
import { mergedSessions, type LoraSession, type LoraStackEntry, type MergedSessionCache } from './merged-sessions';

export interface AppliedLora {
  name: string;
  strength: number;
}

/**
 * What a model value offers the LoRA loader (nodes/models' OnnxUNet and OnnxClip): `file` is the
 * un-merged .onnx (a merged copy keeps it), `loras` what its session already contains.
 */
export interface LoraPatchable<M> {
  readonly name: string;
  readonly file: string;
  readonly loras: readonly AppliedLora[];
  withSession(session: LoraSession, loras: AppliedLora[]): M;
}

export function isLoraPatchable<M>(model: M): model is M & LoraPatchable<M> {
  const m = model as Partial<LoraPatchable<M>> | undefined;
  return !!m && typeof m.withSession === 'function' && typeof m.file === 'string' && Array.isArray(m.loras);
}

export interface LoraApplyContext {
  runtime: OnnxRuntime;
  models: ModelStore;
  cache?: MergedSessionCache;
}

export interface LoraApplyResult<M> {
  model: M;
  /** Undefined when nothing was merged (strength 0, or the file has no modules for this component). */
  report?: MergeReport;
}

export async function applyLora<M>(
  ctx: LoraApplyContext, model: M & LoraPatchable<M>, component: LoraComponent, lora: LoraStackEntry,
): Promise<LoraApplyResult<M>> {
  // A zero-strength LoRA, or one without modules for this component, changes no weight: the model (and
  // its session) stays as it is.
  if (lora.strength === 0 || !summariseLoraFile(lora.file).modules[component]) return { model };
  const earlier: LoraStackEntry[] = model.loras.map((l) => ({ ...l, file: ctx.models.resolve('loras', l.name) }));
  const stack = [...earlier, lora];
  const merged = await (ctx.cache ?? mergedSessions).handle(ctx.runtime, { onnxFile: model.file, component, loras: stack });
  return { model: model.withSession(merged.handle, stack.map(({ name, strength }) => ({ name, strength }))), report: merged.report };
}

export interface LoraFileSummary {
  /** Modules per component. */
  modules: Partial<Record<LoraComponent, number>>;
  unrecognised: string[];
}

/** What a LoRA file patches, from its header alone. */
export function summariseLoraFile(file: string): LoraFileSummary {
  const { modules, unrecognised } = groupLoraKeys([...readSafetensorsHeader(file).entries.keys()]);
  const counts: LoraFileSummary['modules'] = {};
  for (const m of modules) counts[m.component] = (counts[m.component] ?? 0) + 1;
  return { modules: counts, unrecognised };
}

const LIST_LIMIT = 12;

function listKeys(issues: MergeIssue[]): string {
  const shown = issues.slice(0, LIST_LIMIT).map((i) => (i.detail ? `${i.key} (${i.detail})` : i.key));
  return shown.join(', ') + (issues.length > LIST_LIMIT ? ` and ${issues.length - LIST_LIMIT} more` : '');
}

/** Readable warnings about `lora`'s keys that were not applied to `what` ("the U-Net", "the text encoder"). */
export function describeIssues(report: MergeReport, lora: string, what: string, opts: { unrecognised?: boolean } = {}): string[] {
  const mine = report.issues.filter((i) => i.lora === lora && (opts.unrecognised !== false || i.problem !== 'unrecognised'));
  const out: string[] = [];
  const unmatched = mine.filter((i) => i.problem === 'unmatched');
  const mismatched = mine.filter((i) => i.problem === 'mismatched');
  const unrecognised = mine.filter((i) => i.problem === 'unrecognised');
  if (unmatched.length) out.push(`LoRA "${lora}": ${unmatched.length} module(s) match no weight of ${what} and were ignored: ${listKeys(unmatched)}`);
  if (mismatched.length) out.push(`LoRA "${lora}": ${mismatched.length} module(s) have other dimensions than ${what}'s weights (a LoRA for another base model?): ${listKeys(mismatched)}`);
  if (unrecognised.length) out.push(`LoRA "${lora}": ${unrecognised.length} key(s) are not LoRA down/up/alpha tensors (LoHa, LoKr, DoRA or a missing partner) and were ignored: ${listKeys(unrecognised)}`);
  return out;
}
