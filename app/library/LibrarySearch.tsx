'use client';
// The one search box over the open tab. Typing is debounced before it reaches the URL (and so the server);
// a new value from outside (a tag chip, back/forward) replaces what is typed.
import { useEffect, useRef, useState } from 'react';

export const SEARCH_DEBOUNCE_MS = 250;

export function LibrarySearch({ value, onSearch }: { value: string; onSearch(q: string): void }) {
  const [text, setText] = useState(value);
  // The last value this box sent: the URL catching up with it must not overwrite newer typing.
  const sent = useRef(value);
  // The parent's callback changes identity on its renders (e.g. results arriving); that must not restart the wait.
  const onSearchRef = useRef(onSearch);
  useEffect(() => { onSearchRef.current = onSearch; });

  useEffect(() => {
    if (value === sent.current) return;
    sent.current = value;
    setText(value);
  }, [value]);

  useEffect(() => {
    if (text === sent.current) return;
    const timer = setTimeout(() => {
      sent.current = text;
      onSearchRef.current(text);
    }, SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text]);

  return (
    <input
      type="search" className="library-search" aria-label="Search workflows" data-testid="library-search"
      // Short enough for the box; the tooltip has the whole rule.
      placeholder="Search names, descriptions, #tags" title="Words match names, descriptions and tags; #tag matches tags only" value={text}
      onChange={(e) => setText(e.target.value)}
      onKeyDown={(e) => { if (e.key === 'Escape' && text) { e.preventDefault(); setText(''); } }}
    />
  );
}
