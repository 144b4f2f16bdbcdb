// /: the workflow library (tab and search come from the URL, so it renders under Suspense).
import { Suspense } from 'react';
import { LibraryView } from './library/LibraryView';

export default function LibraryPage() {
  return (
    <Suspense>
      <LibraryView />
    </Suspense>
  );
}
