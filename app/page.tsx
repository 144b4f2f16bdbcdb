// /: the workflow library.
import { LibraryView } from './library/LibraryView';

export default function LibraryPage() {
  return <LibraryView />;
}
