'use client';
// next/link that asks before leaving an editor with unsaved changes.
import Link from 'next/link';
import type { ComponentProps, MouseEvent } from 'react';
import { confirmLeave, setUnsavedChanges } from './unsaved-guard';

export function GuardedLink(props: ComponentProps<typeof Link>) {
  const { onClick, ...rest } = props;
  return (
    <Link
      {...rest}
      onClick={(e: MouseEvent<HTMLAnchorElement>) => {
        if (!confirmLeave()) {
          e.preventDefault();
          return;
        }
        setUnsavedChanges(false);
        onClick?.(e);
      }}
    />
  );
}
