'use client';
// Editing one workflow's tags in place: chips with ×, a text box (Enter or comma adds, Backspace on an empty box
// removes the last chip). Every change is saved at once through workflows.setTags; a refusal puts the saved tags back.
import { useEffect, useId, useRef, useState } from 'react';
import { TRPCClientError } from '@trpc/client';
import { useQueryClient } from '@tanstack/react-query';
import { useTRPC, useTRPCClient } from '../lib/trpc';
import { addTags, removeTag, sameTags, splitTagDraft } from './tag-input';

interface Props {
  workflowId: string;
  tags: string[];
  /** After the server stored them (normalised). */
  onSaved?(tags: string[]): void;
}

export function TagEditor({ workflowId, tags: initial, onSaved }: Props) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const [tags, setTags] = useState(initial);
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(0);
  const saved = useRef(initial);
  const latest = useRef(0); // only the newest request's answer may change what is shown
  const errorId = useId();

  // Follow the server's copy when it changes elsewhere (e.g. a refetched list), unless a save is on its way.
  const initialKey = initial.join('\n');
  // Keyed by content, not by array identity: the parent hands a new array on every render. Tags never hold a newline.
  useEffect(() => {
    const next = initialKey ? initialKey.split('\n') : [];
    if (sameTags(saved.current, next)) return;
    saved.current = next;
    setTags(next);
  }, [initialKey]);

  const save = async (next: string[]) => {
    setError(null);
    if (sameTags(next, tags)) return;
    setTags(next);
    const request = ++latest.current;
    setPending((n) => n + 1);
    try {
      const res = await client.workflows.setTags.mutate({ id: workflowId, tags: next });
      saved.current = res.tags;
      if (request === latest.current) setTags(res.tags);
      void queryClient.invalidateQueries(trpc.workflows.list.queryFilter());
      void queryClient.invalidateQueries(trpc.workflows.explore.queryFilter());
      onSaved?.(res.tags);
    } catch (e) {
      if (request !== latest.current) return;
      setTags(saved.current);
      setError(e instanceof TRPCClientError ? serverText(e) : `Saving the tags failed: ${(e as Error).message}`);
    } finally {
      setPending((n) => n - 1);
    }
  };

  const add = (typed: string[]) => {
    if (typed.length === 0) return true;
    const change = addTags(tags, typed);
    if (!change.ok) {
      setError(change.error);
      return false;
    }
    void save(change.tags);
    return true;
  };

  return (
    <div className="tag-editor" data-testid="tag-editor">
      <ul className="tag-list" aria-label="Tags">
        {tags.map((t) => (
          <li key={t} className="tag-chip">
            <span>#{t}</span>
            <button type="button" className="tag-remove" aria-label={`Remove tag ${t}`} onClick={() => void save(removeTag(tags, t))}>
              ×
            </button>
          </li>
        ))}
      </ul>
      <input
        aria-label="Add tags" value={draft} placeholder={tags.length ? 'add tag' : 'add tags, comma separated'}
        aria-invalid={error ? true : undefined} aria-describedby={error ? errorId : undefined}
        onChange={(e) => {
          const { complete, rest } = splitTagDraft(e.target.value);
          setDraft(complete.length && add(complete) ? rest : e.target.value);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            if (add([draft.trim()].filter(Boolean))) setDraft('');
          } else if (e.key === 'Backspace' && draft === '' && tags.length > 0) {
            e.preventDefault();
            void save(tags.slice(0, -1));
          }
        }}
      />
      {pending > 0 && <span className="muted" aria-live="polite">Saving…</span>}
      {error && <p id={errorId} className="error" role="alert">{error}</p>}
    </div>
  );
}

/** The message a person can act on: the schema's words for a refused tag, else the server's message. */
function serverText(e: { message: string; data?: { zodError?: { formErrors: string[]; fieldErrors: Record<string, string[] | undefined> } | null } | null }): string {
  const zod = e.data?.zodError;
  return zod?.fieldErrors.tags?.[0] ?? zod?.formErrors[0] ?? e.message;
}
