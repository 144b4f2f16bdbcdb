// Every editor shortcut in one table: useEditorShortcuts matches keys against it, useDebugger and the canvas take
// their keys from it, and the shortcuts overlay ("?") lists it, so the list cannot drift from what the keys do.

/** What useEditorShortcuts does for a key; rows without one are handled where their comment says. */
export type ShortcutAction =
  | 'save' | 'run' | 'debugRun' | 'undo' | 'redo' | 'copy' | 'paste' | 'duplicate' | 'selectAll' | 'bypass' | 'group' | 'subgraph'
  | 'toggleMinimap' | 'showShortcuts';

export interface KeyBinding {
  /** `KeyboardEvent.key`, lower case. */
  key: string;
  /** Ctrl (Cmd on macOS) held. */
  mod: boolean;
  /** Shift held (true) or not (false); absent: either ("?" needs Shift on most layouts). */
  shift?: boolean;
}

export interface Shortcut {
  /** As shown to the user. */
  keys: string;
  label: string;
  action?: ShortcutAction;
  bindings?: readonly KeyBinding[];
  /** Also while typing in a text field (otherwise the key is left to the field: Ctrl+Z undoes typing). */
  inTextFields?: boolean;
}

export const PAUSE_KEY = 'F8';
export const STEP_KEY = 'F10';
export const DELETE_KEYS = ['Delete', 'Backspace'];

const mod = (key: string, shift?: boolean): KeyBinding => ({ key, mod: true, shift });

export const EDITOR_SHORTCUTS: readonly Shortcut[] = [
  { keys: 'Ctrl+Enter', label: 'Run', action: 'run', bindings: [mod('enter', false)], inTextFields: true },
  { keys: 'Ctrl+Shift+Enter', label: 'Run with debugger (stops at breakpoints)', action: 'debugRun', bindings: [mod('enter', true)], inTextFields: true },
  { keys: 'Ctrl+S', label: 'Save version', action: 'save', bindings: [mod('s')], inTextFields: true },
  { keys: 'Ctrl+Z', label: 'Undo', action: 'undo', bindings: [mod('z', false)] },
  { keys: 'Ctrl+Shift+Z / Ctrl+Y', label: 'Redo', action: 'redo', bindings: [mod('z', true), mod('y')] },
  { keys: 'Ctrl+C', label: 'Copy selected nodes', action: 'copy', bindings: [mod('c')] },
  { keys: 'Ctrl+V', label: 'Paste nodes at the pointer', action: 'paste', bindings: [mod('v')] },
  { keys: 'Ctrl+D', label: 'Duplicate selection', action: 'duplicate', bindings: [mod('d')] },
  { keys: 'Ctrl+A', label: 'Select all', action: 'selectAll', bindings: [mod('a')] },
  { keys: 'Ctrl+B', label: 'Bypass selection or selected group (inputs pass through)', action: 'bypass', bindings: [mod('b')] },
  { keys: 'Ctrl+G', label: 'Group the selected nodes in a frame', action: 'group', bindings: [mod('g', false)] },
  { keys: 'Ctrl+Shift+G', label: 'Convert the selected nodes to a subgraph (double-click it to open)', action: 'subgraph', bindings: [mod('g', true)] },
  // React Flow deletes (Canvas.tsx passes DELETE_KEYS as its deleteKeyCode).
  { keys: 'Del / Backspace', label: 'Delete selection' },
  { keys: 'M', label: 'Show / hide the minimap', action: 'toggleMinimap', bindings: [{ key: 'm', mod: false, shift: false }] },
  { keys: '?', label: 'This list of shortcuts', action: 'showShortcuts', bindings: [{ key: '?', mod: false }] },
  // useDebugger.ts listens for these two.
  { keys: PAUSE_KEY, label: 'Pause / resume the run' },
  { keys: STEP_KEY, label: 'Step (while paused)' },
  { keys: 'Double-click canvas', label: 'Add a node there (search)' },
  { keys: 'Double-click node title', label: 'Rename the node' },
  { keys: 'Right-click node', label: 'Breakpoints, Run to here, Bypass' },
  { keys: 'Drag group title', label: 'Move the frame with the nodes in it (double-click: rename, right-click: colour, bypass, collapse, ungroup)' },
  { keys: 'Esc', label: 'Close the menu, dialog or search box' },
];

type KeyState = Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey'>;

/** The action a key press asks for, or null; `typing`: focus is in a text field. */
export function shortcutAction(e: KeyState, typing: boolean): ShortcutAction | null {
  if (e.altKey) return null;
  const key = e.key.toLowerCase();
  const held = e.ctrlKey || e.metaKey;
  for (const s of EDITOR_SHORTCUTS) {
    if (!s.action || (typing && !s.inTextFields)) continue;
    const hit = s.bindings?.some((b) => b.key === key && b.mod === held && (b.shift === undefined || b.shift === e.shiftKey));
    if (hit) return s.action;
  }
  return null;
}
