// Reads diffusers scheduler_config.json values (snake_case keys) with defaults and range checks.
import { SchedulerConfigError } from './errors';

export type RawConfig = Readonly<Record<string, unknown>>;

interface NumberRule {
  integer?: boolean;
  min?: number;
  max?: number;
  /** Strict lower bound. */
  above?: number;
}

/**
 * One reader per scheduler construction. Every getter records the key it resolved, so the
 * scheduler can expose its full resolved config and the keys it ignored. `null` in a config
 * means "use the default", as diffusers' JSON files write it.
 */
export class ConfigReader {
  readonly resolved: Record<string, unknown> = {};

  constructor(
    readonly scheduler: string,
    private readonly raw: RawConfig,
  ) {}

  private fail(key: string, value: unknown, expected: string): never {
    throw new SchedulerConfigError(this.scheduler, key, value, expected);
  }

  private get(key: string): unknown {
    const v = this.raw[key];
    return v === null ? undefined : v;
  }

  number(key: string, def: number, rule: NumberRule = {}): number {
    const v = this.get(key) ?? def;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(key, v, describe(rule));
    if (rule.integer && !Number.isInteger(v)) this.fail(key, v, describe(rule));
    if (rule.min !== undefined && v < rule.min) this.fail(key, v, describe(rule));
    if (rule.max !== undefined && v > rule.max) this.fail(key, v, describe(rule));
    if (rule.above !== undefined && v <= rule.above) this.fail(key, v, describe(rule));
    this.resolved[key] = v;
    return v;
  }

  optionalNumber(key: string, rule: NumberRule = {}): number | null {
    if (this.get(key) === undefined) {
      this.resolved[key] = null;
      return null;
    }
    return this.number(key, 0, rule);
  }

  bool(key: string, def: boolean): boolean {
    const v = this.get(key) ?? def;
    if (typeof v !== 'boolean') this.fail(key, v, 'true or false');
    this.resolved[key] = v;
    return v;
  }

  choice<const T extends string>(key: string, choices: readonly T[], def: T): T {
    const v = this.get(key) ?? def;
    if (typeof v !== 'string' || !(choices as readonly string[]).includes(v)) {
      this.fail(key, v, `one of ${choices.map((c) => `"${c}"`).join(', ')}`);
    }
    this.resolved[key] = v;
    return v as T;
  }

  /** A list of numbers, or null when absent. */
  numberList(key: string, rule: NumberRule = {}): number[] | null {
    const v = this.get(key);
    if (v === undefined) {
      this.resolved[key] = null;
      return null;
    }
    if (!Array.isArray(v) || v.length === 0) this.fail(key, v, `a non-empty array of numbers (${describe(rule)})`);
    for (const x of v) {
      const ok =
        typeof x === 'number' && Number.isFinite(x) &&
        (rule.min === undefined || x >= rule.min) &&
        (rule.max === undefined || x <= rule.max) &&
        (rule.above === undefined || x > rule.above);
      if (!ok) this.fail(key, x, `every entry a number (${describe(rule)})`);
    }
    this.resolved[key] = [...(v as number[])];
    return [...(v as number[])];
  }

  /** A key StepFlow only supports at its null default (e.g. learned variance channels). */
  mustBeNull(key: string, why: string): null {
    const v = this.get(key);
    if (v !== undefined) this.fail(key, v, `null (${why})`);
    this.resolved[key] = null;
    return null;
  }

  /** Keys present in the raw config that this scheduler did not read. */
  ignoredKeys(): string[] {
    return Object.keys(this.raw).filter((k) => !(k in this.resolved));
  }
}

function describe(rule: NumberRule): string {
  const parts: string[] = [rule.integer ? 'an integer' : 'a number'];
  if (rule.above !== undefined) parts.push(`> ${rule.above}`);
  if (rule.min !== undefined) parts.push(`>= ${rule.min}`);
  if (rule.max !== undefined) parts.push(`<= ${rule.max}`);
  return parts.join(' ');
}
