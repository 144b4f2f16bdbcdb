'use client';
// The top bar's "⋯" menu for secondary actions (menu button pattern): opens on click, Enter, Space or ArrowDown with
// the first item focused; arrow keys, Home and End move; Escape closes and returns focus to the button; Tab or a
// click elsewhere closes it. Items are actions or links.
import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { GuardedLink } from './GuardedLink';

export interface MoreMenuItem {
  label: ReactNode;
  /** Accessible name when the label is not plain text. */
  name?: string;
  onSelect?(): void;
  /** A page link instead of an action (asks first when the editor has unsaved changes). */
  href?: string;
  disabled?: boolean;
  title?: string;
  testId?: string;
}

export function MoreMenu({ items, label = 'More actions', children = '⋯', className }: {
  items: MoreMenuItem[]; label?: string; children?: ReactNode; className?: string;
}) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const menuId = useId();

  const entries = () => [...(root.current?.querySelectorAll<HTMLElement>('[role="menuitem"]:not([aria-disabled="true"])') ?? [])];
  const focusAt = (i: number) => {
    const all = entries();
    if (all.length) all[(i + all.length) % all.length].focus();
  };
  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) button.current?.focus();
  };

  useEffect(() => {
    if (!open) return;
    root.current?.querySelector<HTMLElement>('[role="menuitem"]:not([aria-disabled="true"])')?.focus();
    const outside = (e: PointerEvent) => { if (!root.current?.contains(e.target as Node)) setOpen(false); };
    document.addEventListener('pointerdown', outside);
    return () => document.removeEventListener('pointerdown', outside);
  }, [open]);

  const onMenuKey = (e: KeyboardEvent) => {
    const all = entries();
    const at = all.indexOf(document.activeElement as HTMLElement);
    const moves: Record<string, () => void> = {
      ArrowDown: () => focusAt(at + 1),
      ArrowUp: () => focusAt(at - 1),
      Home: () => focusAt(0),
      End: () => focusAt(all.length - 1),
      Escape: () => close(true),
      Tab: () => close(false),
    };
    const move = moves[e.key];
    if (!move) return;
    if (e.key !== 'Tab') e.preventDefault();
    e.stopPropagation();
    move();
  };

  return (
    <div className={`more-menu${className ? ` ${className}` : ''}`} ref={root}>
      <button
        ref={button} type="button" className="more-menu-button" aria-label={label} title={label}
        aria-haspopup="menu" aria-expanded={open} aria-controls={open ? menuId : undefined}
        onClick={() => setOpen((o) => !o)}
        onKeyDown={(e) => { if (e.key === 'ArrowDown' && !open) { e.preventDefault(); setOpen(true); } }}
      >
        {children}
      </button>
      {open && (
        <div role="menu" id={menuId} aria-label={label} className="more-menu-list" onKeyDown={onMenuKey}>
          {items.map((item, i) => {
            const common = {
              role: 'menuitem', tabIndex: -1, title: item.title, 'aria-label': item.name, 'data-testid': item.testId,
              'aria-disabled': item.disabled || undefined,
            } as const;
            return item.href ? (
              <GuardedLink key={i} href={item.href} {...common} onClick={() => setOpen(false)}>{item.label}</GuardedLink>
            ) : (
              <button
                key={i} type="button" {...common}
                onClick={() => { if (item.disabled) return; close(true); item.onSelect?.(); }}
              >
                {item.label}
              </button>
            );
          })}
        </div>
      )}
    </div>
  );
}
