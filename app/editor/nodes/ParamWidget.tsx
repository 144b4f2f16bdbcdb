'use client';
// One param's widget, chosen by the catalog's UI hint (number, slider, prompt, select, seed, model...).
import { useEffect, useState } from 'react';
import type { CatalogNode } from '../../../nodes/engine/catalog';
import type { SeedControl } from '../editing/graph-mapping';
import { InputImageWidget } from './InputImageWidget';

type ParamDef = CatalogNode['params'][number];

interface Props {
  param: ParamDef;
  value: unknown;
  control?: SeedControl;
  lastSeed?: number;
  models: string[];
  /** Model name -> precision, appended to the option label ("tiny-sd-int8 · int8"). */
  modelPrecision?: Readonly<Record<string, string>>;
  /** Model name -> a warning shown with it (a LoRA that does not fit the wired checkpoint). */
  modelNotes?: Readonly<Record<string, string>>;
  invalid: boolean;
  onChange(value: unknown): void;
  onControl(control: SeedControl): void;
}

export function ParamWidget({ param, value, control, lastSeed, models, modelPrecision, modelNotes, invalid, onChange, onControl }: Props) {
  const { ui, name } = param;
  const label = ui.label ?? name;
  const cls = `param param-${ui.widget}${invalid ? ' param-invalid' : ''}`;
  const testId = `param-${name}`;
  if (ui.widget === 'image') {
    // Not inside a <label>: it holds a select and an upload button of its own.
    return <InputImageWidget label={label} value={String(value ?? '')} testId={testId} invalid={invalid} description={ui.description} onChange={onChange} />;
  }
  return (
    <label className={cls} title={ui.description}>
      <span className="param-label">{label}</span>
      {(() => {
        switch (ui.widget) {
          case 'slider':
            return (
              <span className="param-row">
                <input
                  type="range" className="nodrag" aria-label={`${label} slider`} min={ui.min} max={ui.max} step={ui.step ?? 'any'}
                  value={typeof value === 'number' ? value : Number(param.default)}
                  onChange={(e) => onChange(toNumber(e.target.value, ui.valueType))}
                />
                <NumberField value={value} step={ui.step} min={ui.min} max={ui.max} valueType={ui.valueType} onChange={onChange} testId={testId} label={label} />
              </span>
            );
          case 'number':
            return <NumberField value={value} step={ui.step} min={ui.min} max={ui.max} valueType={ui.valueType} onChange={onChange} testId={testId} label={label} />;
          case 'textarea':
            return (
              <textarea
                className="nodrag nowheel" rows={3} aria-label={label} data-testid={testId}
                value={String(value ?? '')} onChange={(e) => onChange(e.target.value)}
              />
            );
          case 'select':
            return (
              <select className="nodrag" aria-label={label} data-testid={testId} value={String(value ?? '')} onChange={(e) => onChange(e.target.value)}>
                {(ui.choices ?? []).map((c) => <option key={c} value={c}>{c}</option>)}
              </select>
            );
          case 'toggle':
            return (
              <input type="checkbox" className="nodrag" aria-label={label} data-testid={testId} checked={value === true} onChange={(e) => onChange(e.target.checked)} />
            );
          case 'model': {
            const names = models.includes(String(value)) || !value ? models : [String(value), ...models];
            return (
              <select className="nodrag" aria-label={label} data-testid={testId} value={String(value ?? '')} onChange={(e) => onChange(e.target.value)}>
                {!value && <option value="">choose a {ui.modelKind ?? 'model'}…</option>}
                {names.map((m) => (
                  <option key={m} value={m}>{modelLabel(m, models, modelPrecision, modelNotes)}</option>
                ))}
              </select>
            );
          }
          case 'seed':
            return (
              <span className="param-row">
                <NumberField value={value} step={1} min={0} max={Number.MAX_SAFE_INTEGER} valueType="int" onChange={onChange} testId={testId} label={label} />
                <select className="nodrag seed-control" aria-label={`${label} control`} value={control ?? 'fixed'} onChange={(e) => onControl(e.target.value as SeedControl)}>
                  <option value="fixed">fixed</option>
                  <option value="randomize" title="This seed runs, then a new random one is shown for the next run">randomize after run</option>
                  <option value="random" title="A new random seed is drawn for each run; the shown one stays">random each run</option>
                  <option value="increment">increment</option>
                </select>
                <button type="button" className="nodrag icon-button" title="New random seed" aria-label="New random seed"
                  onClick={() => onChange(Math.floor(Math.random() * 2 ** 32))}>⚄</button>
                {lastSeed !== undefined && lastSeed !== value && <span className="seed-last" title="Seed used by the last run">last {lastSeed}</span>}
              </span>
            );
          case 'text':
          default:
            return (
              <input type="text" className="nodrag" aria-label={label} data-testid={testId} value={String(value ?? '')} onChange={(e) => onChange(e.target.value)} />
            );
        }
      })()}
      {/* The closed picker cuts long names: the chosen model's note (a LoRA that does not fit) gets its own line. */}
      {ui.widget === 'model' && modelNotes?.[String(value)] && <span className="param-note" data-testid="model-note">{modelNotes[String(value)]}</span>}
    </label>
  );
}

function toNumber(text: string, valueType: string): number {
  const n = Number(text);
  return valueType === 'int' ? Math.round(n) : n;
}

/** Keeps the typed text while it is not a number yet ("-", "1."), commits only real numbers. */
function NumberField(props: {
  value: unknown; step?: number; min?: number; max?: number; valueType: string; testId: string; label: string;
  onChange(v: unknown): void;
}) {
  const [text, setText] = useState(String(props.value ?? ''));
  useEffect(() => {
    setText((t) => (Number(t) === props.value && t.trim() !== '' ? t : String(props.value ?? '')));
  }, [props.value]);
  return (
    <input
      type="number" className="nodrag" aria-label={props.label} data-testid={props.testId}
      step={props.step ?? 'any'} min={props.min} max={props.max} value={text}
      onChange={(e) => {
        setText(e.target.value);
        if (e.target.value.trim() !== '' && Number.isFinite(Number(e.target.value))) {
          props.onChange(toNumber(e.target.value, props.valueType));
        }
      }}
    />
  );
}

/** "name", "name · fp16", "name (missing)", with a fit note after it ("name ⚠ does not fit sprites"). */
function modelLabel(m: string, models: string[], precision?: Readonly<Record<string, string>>, notes?: Readonly<Record<string, string>>): string {
  if (!models.includes(m)) return `${m} (missing)`;
  const base = precision?.[m] ? `${m} · ${precision[m]}` : m;
  return notes?.[m] ? `${base} ${notes[m]}` : base;
}
