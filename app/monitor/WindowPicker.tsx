'use client';
// The time window buttons (1 h / 24 h / 7 d): a toggle group, the chosen one pressed.
import { WINDOWS, type MonitorWindow } from './summary-type';

export function WindowPicker({ value, onChange }: { value: MonitorWindow; onChange(w: MonitorWindow): void }) {
  return (
    <div className="window-picker" role="group" aria-label="Time window">
      {WINDOWS.map(([w, label]) => (
        <button key={w} type="button" aria-pressed={value === w} className={value === w ? 'primary' : ''} onClick={() => onChange(w)} data-testid={`window-${w}`}>
          {label}
        </button>
      ))}
    </div>
  );
}
