// LoRA tensor names -> (model component, module path, role). Understands the three naming schemes found
// in the wild: kohya (`lora_unet_..._to_q.lora_down.weight`), diffusers (`unet....to_q.lora.down.weight`,
// `...processor.to_q_lora.down.weight`) and PEFT (`base_model.model....to_q.lora_A.weight`).

export type LoraComponent = 'unet' | 'text_encoder' | 'text_encoder_2';
export type LoraRole = 'down' | 'up' | 'alpha';

export interface ParsedLoraKey {
  component: LoraComponent;
  /** Module path with every '.' and '/' turned into '_' — the one spelling all schemes can be compared in. */
  module: string;
  role: LoraRole;
}

/** Module paths compare in kohya's spelling, since kohya's underscores cannot be turned back into dots. */
export function normaliseModule(path: string): string {
  return path.replace(/^[./]+/, '').replace(/[./]/g, '_');
}

const KOHYA_COMPONENT: Record<string, LoraComponent> = { unet: 'unet', te: 'text_encoder', te1: 'text_encoder', te2: 'text_encoder_2' };
const KOHYA = /^lora_(unet|te1|te2|te)_(.+)\.(lora_down\.weight|lora_up\.weight|alpha)$/;
const KOHYA_ROLE: Record<string, LoraRole> = { 'lora_down.weight': 'down', 'lora_up.weight': 'up', alpha: 'alpha' };

/** diffusers' old attention processors name the projection in the LoRA layer: to_out_lora means to_out.0. */
const PROCESSOR = /^(.+)\.processor\.(to_q|to_k|to_v|to_out)_lora\.(down|up)\.weight$/;
/** LoRACompatibleLinear (`.lora.down`), text-encoder patches (`.lora_linear_layer.down`), PEFT (`.lora_A`). */
const DIFFUSERS_LAYER = /^(.+?)\.(?:lora|lora_linear_layer)\.(down|up)\.weight$/;
const PEFT_LAYER = /^(.+?)\.lora_(A|B)(?:\.default(?:_\d+)?)?\.weight$/;
const DOTTED_ALPHA = /^(.+?)\.(?:lora\.)?alpha$/;

/** Splits a dotted path that may start with a component name (diffusers) or PEFT's wrapper prefix. */
function dottedComponent(path: string): { component: LoraComponent; module: string } {
  let rest = path.replace(/^base_model\.model\./, '');
  let component: LoraComponent | undefined;
  for (const c of ['text_encoder_2', 'text_encoder', 'unet'] as const) {
    if (rest.startsWith(`${c}.`)) {
      component = c;
      rest = rest.slice(c.length + 1);
      break;
    }
  }
  // A bare PEFT file names no component: CLIP's modules all live under text_model.
  component ??= rest.startsWith('text_model.') ? 'text_encoder' : 'unet';
  return { component, module: normaliseModule(rest) };
}

/** The key's meaning, or undefined for names that are not LoRA down/up/alpha tensors (LoHa, LoKr, DoRA, diffs). */
export function parseLoraKey(key: string): ParsedLoraKey | undefined {
  const kohya = KOHYA.exec(key);
  if (kohya) return { component: KOHYA_COMPONENT[kohya[1]], module: kohya[2], role: KOHYA_ROLE[kohya[3]] };
  const processor = PROCESSOR.exec(key);
  if (processor) {
    const projection = processor[2] === 'to_out' ? 'to_out.0' : processor[2];
    return { ...dottedComponent(`${processor[1]}.${projection}`), role: processor[3] as LoraRole };
  }
  const layer = DIFFUSERS_LAYER.exec(key);
  if (layer) return { ...dottedComponent(layer[1]), role: layer[2] as LoraRole };
  const peft = PEFT_LAYER.exec(key);
  if (peft) return { ...dottedComponent(peft[1]), role: peft[2] === 'A' ? 'down' : 'up' };
  const alpha = DOTTED_ALPHA.exec(key);
  if (alpha && !alpha[1].startsWith('lora_')) return { ...dottedComponent(alpha[1]), role: 'alpha' };
  return undefined;
}

export interface LoraModuleKeys {
  component: LoraComponent;
  module: string;
  down: string;
  up: string;
  alpha?: string;
}

export interface GroupedLoraKeys {
  modules: LoraModuleKeys[];
  /** Keys that are not LoRA tensors, or whose partner (down without up, alpha alone) is missing. */
  unrecognised: string[];
}

/** Groups a file's keys into one entry per patched module. */
export function groupLoraKeys(keys: readonly string[]): GroupedLoraKeys {
  const groups = new Map<string, { component: LoraComponent; module: string; keys: Partial<Record<LoraRole, string>> }>();
  const unrecognised: string[] = [];
  for (const key of keys) {
    const parsed = parseLoraKey(key);
    if (!parsed) {
      unrecognised.push(key);
      continue;
    }
    const id = `${parsed.component}:${parsed.module}`;
    const group = groups.get(id) ?? { component: parsed.component, module: parsed.module, keys: {} };
    if (group.keys[parsed.role]) unrecognised.push(key); // a second spelling of the same tensor
    else group.keys[parsed.role] = key;
    groups.set(id, group);
  }
  const modules: LoraModuleKeys[] = [];
  for (const g of groups.values()) {
    const { down, up, alpha } = g.keys;
    if (down && up) modules.push({ component: g.component, module: g.module, down, up, alpha });
    else unrecognised.push(...[down, up, alpha].filter((k): k is string => !!k));
  }
  return { modules, unrecognised };
}
