// Param schemas derived from serialisable hints, so the engine and the browser check params
// with the same rules (the browser only has the catalog, never the node implementations).
import { z } from 'zod';
import type { ModelKind } from '../runtime/models';

export type Widget = 'number' | 'slider' | 'text' | 'textarea' | 'select' | 'toggle' | 'seed' | 'model' | 'image';
export type ParamValueType = 'int' | 'float' | 'string' | 'boolean';

/** What the editor needs to draw a param widget and what validation enforces. */
export interface ParamUi {
  widget: Widget;
  valueType: ParamValueType;
  label?: string;
  description?: string;
  min?: number;
  max?: number;
  step?: number;
  maxLength?: number;
  choices?: readonly string[];
  modelKind?: ModelKind;
}

const schemas = new WeakMap<ParamUi, z.ZodType<unknown>>();

/** Memoised per hint object: building zod schemas costs more than using them. */
export function paramSchema(ui: ParamUi): z.ZodType<unknown> {
  let s = schemas.get(ui);
  if (!s) {
    s = buildSchema(ui);
    schemas.set(ui, s);
  }
  return s;
}

function buildSchema(ui: ParamUi): z.ZodType<unknown> {
  switch (ui.valueType) {
    case 'int':
    case 'float': {
      let s = ui.valueType === 'int' ? z.number().int() : z.number();
      if (ui.min !== undefined) s = s.min(ui.min);
      if (ui.max !== undefined) s = s.max(ui.max);
      return s;
    }
    case 'boolean':
      return z.boolean();
    case 'string': {
      if (ui.choices) return z.enum(ui.choices as [string, ...string[]]);
      const s = z.string().max(ui.maxLength ?? 100_000);
      if (ui.widget === 'model') return s.min(1, 'choose a model');
      // An input image names a file inside the input folders, never a path out of them.
      if (ui.widget === 'image') return s.min(1, 'choose or upload an image').refine(isPlainModelName, 'must be a file name inside the input folder');
      return s;
    }
  }
}

/** A model name from a graph may only name something inside models/<kind>/. */
export function isPlainModelName(name: string): boolean {
  return name.length > 0 && !name.includes('\0') && !/^([a-zA-Z]:)?[\\/]/.test(name) && !name.split(/[\\/]/).includes('..');
}

/**
 * A bad value as shown in a problem message. Never throws: graphs arrive through superjson, which carries
 * bigint and circular objects that JSON.stringify rejects; long values are cut so a message stays readable.
 */
export function quoteValue(value: unknown, max = 120): string {
  let text: string;
  try {
    text = typeof value === 'bigint' ? `${value}n` : JSON.stringify(value) ?? String(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
