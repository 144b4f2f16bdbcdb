'use client';
// next/link that asks (in-app dialog) before leaving an editor with unsaved changes.
import Link from 'next/link';
import type { ComponentProps, MouseEvent } from 'react';
import { useDialogs } from './dialogs';
import { confirmLeave, hasUnsavedChanges, setUnsavedChanges } from './unsaved-guard';

export function GuardedLink(props: ComponentProps<typeof Link>) {
  const { onClick, ...rest } = props;
  const dialogs = useDialogs();
  return (
    <Link
      {...rest}
      onClick={(e: MouseEvent<HTMLAnchorElement>) => {
        if (hasUnsavedChanges()) {
          // The answer comes later: hold this click, and click again once the user agreed (nothing unsaved then).
          e.preventDefault();
          const link = e.currentTarget;
          void confirmLeave(dialogs).then((leave) => {
            if (!leave) return;
            setUnsavedChanges(false);
            link.click();
          });
          return;
        }
        onClick?.(e);
      }}
    />
  );
}
