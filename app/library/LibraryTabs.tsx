'use client';
// The library's tab strip (WAI-ARIA tabs: arrow keys move, only the selected tab is in the Tab order).
import { useRef } from 'react';
import { TAB_LABELS, tabAfterKey, type LibraryTab } from './library-url';

export const LIBRARY_PANEL_ID = 'library-panel';

export function tabElementId(tab: LibraryTab): string {
  return `library-tab-${tab}`;
}

export function LibraryTabs({ tabs, selected, onSelect }: { tabs: LibraryTab[]; selected: LibraryTab; onSelect(tab: LibraryTab): void }) {
  const buttons = useRef(new Map<LibraryTab, HTMLButtonElement>());
  return (
    <div role="tablist" aria-label="Library" className="library-tabs">
      {tabs.map((t) => (
        <button
          key={t} type="button" role="tab" id={tabElementId(t)}
          ref={(el) => { if (el) buttons.current.set(t, el); else buttons.current.delete(t); }}
          aria-selected={t === selected} aria-controls={LIBRARY_PANEL_ID} tabIndex={t === selected ? 0 : -1}
          onClick={() => { if (t !== selected) onSelect(t); }}
          onKeyDown={(e) => {
            const next = tabAfterKey(tabs, selected, e.key);
            if (!next) return;
            e.preventDefault();
            buttons.current.get(next)?.focus();
            if (next !== selected) onSelect(next);
          }}
        >
          {TAB_LABELS[t]}
        </button>
      ))}
    </div>
  );
}
