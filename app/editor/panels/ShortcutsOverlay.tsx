'use client';
// The "?" overlay: every editor shortcut, read from the table the key handlers use (shortcuts.ts).
import { ModalDialog } from '../../shell/ModalDialog';
import { EDITOR_SHORTCUTS } from '../editing/shortcuts';

export function ShortcutsOverlay({ onClose }: { onClose(): void }) {
  return (
    <ModalDialog title="Keyboard shortcuts" onClose={onClose} className="shortcuts-overlay">
      <dl>
        {EDITOR_SHORTCUTS.map((s) => (
          <div key={s.keys} className="shortcut-row">
            <dt><kbd>{s.keys}</kbd></dt>
            <dd>{s.label}</dd>
          </div>
        ))}
      </dl>
      <div className="dialog-actions">
        <button type="button" onClick={onClose} data-autofocus="">Close</button>
      </div>
    </ModalDialog>
  );
}
