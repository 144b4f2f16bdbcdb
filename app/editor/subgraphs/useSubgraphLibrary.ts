'use client';
// The subgraph library from the editor: palette entries (subgraphs.list: the user's own and others' public ones),
// "Save subgraph to library" (a new entry, or a new version of the user's own entry the node is pinned to, with the
// nested definitions it uses), "Update to vN" when the library has a newer version, and the palette's rename, share
// and delete of the user's own entries.
import { useCallback, useMemo } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { bundleSubgraph } from '../../../nodes/engine/library-bundle';
import { useTRPC, useTRPCClient, type RouterOutputs } from '../../lib/trpc';
import { useToast } from '../../shell/toast';
import type { GraphEditor } from '../editing/useGraphEditor';

export type LibraryEntry = RouterOutputs['subgraphs']['list'][number];

export function useSubgraphLibrary(editor: GraphEditor, enabled: boolean) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const notify = useToast();
  const list = useQuery(trpc.subgraphs.list.queryOptions(undefined, { enabled }));
  const entries = useMemo(() => list.data ?? [], [list.data]);
  const refresh = useCallback(() => void queryClient.invalidateQueries(trpc.subgraphs.list.queryFilter()), [queryClient, trpc]);

  const definitionOf = useCallback((nodeId: string) => {
    const node = editor.nodes.find((n) => n.id === nodeId);
    const key = node?.data.subgraph;
    const def = key === undefined ? undefined : editor.subgraphs[key];
    return def && key !== undefined ? { node: node!, key, def } : undefined;
  }, [editor.nodes, editor.subgraphs]);

  /** The newest library version when it is newer than the one node `nodeId` uses, else null. */
  const newerVersion = useCallback((nodeId: string): number | null => {
    const pin = definitionOf(nodeId)?.def.library;
    const entry = pin && entries.find((e) => e.id === pin.id);
    return entry && entry.version > pin.version ? entry.version : null;
  }, [definitionOf, entries]);

  const save = useCallback(async (nodeId: string) => {
    const found = definitionOf(nodeId);
    if (!found) return;
    const name = found.node.data.title ?? found.def.name;
    // A new version only of an entry that is the user's and still in the library; a copy of someone else's public
    // entry, or of a deleted one, becomes a new entry.
    const pin = found.def.library;
    const own = pin && entries.find((e) => e.id === pin.id && e.mine);
    try {
      const { subgraphs } = bundleSubgraph(found.def, editor.subgraphs);
      const r = await client.subgraphs.save.mutate({ id: own?.id, name, definition: found.def, subgraphs });
      editor.replaceDefinition(found.key, { ...found.def, name, library: { id: r.id, version: r.version } });
      refresh();
      notify(`Saved "${name}" to the library as version ${r.version}`, 'success');
    } catch (e) {
      notify(`Saving the subgraph failed: ${(e as Error).message}`, 'error');
    }
  }, [client, definitionOf, editor, entries, notify, refresh]);

  const update = useCallback(async (nodeId: string) => {
    const found = definitionOf(nodeId);
    const pin = found?.def.library;
    if (!found || !pin) return;
    try {
      const r = await client.subgraphs.get.query({ id: pin.id });
      editor.replaceDefinition(found.key, { ...r.definition, library: { id: r.id, version: r.version } }, r.subgraphs);
      notify(`"${r.name}" updated to version ${r.version}`, 'success');
    } catch (e) {
      notify(`Updating the subgraph failed: ${(e as Error).message}`, 'error');
    }
  }, [client, definitionOf, editor, notify]);

  /** Runs one of the palette's entry actions, then refreshes the palette; the server's message on failure. */
  const act = useCallback(async (what: string, done: string, call: () => Promise<unknown>) => {
    try {
      await call();
      notify(done, 'success');
    } catch (e) {
      notify(`${what} failed: ${(e as Error).message}`, 'error');
    } finally {
      refresh();
    }
  }, [notify, refresh]);

  const rename = useCallback((entry: LibraryEntry, name: string) =>
    act('Renaming the subgraph', `Renamed "${entry.name}" to "${name.trim()}"`, () => client.subgraphs.rename.mutate({ id: entry.id, name })), [act, client]);
  const remove = useCallback((entry: LibraryEntry) =>
    act('Deleting the subgraph', `Deleted "${entry.name}" from the library`, () => client.subgraphs.delete.mutate({ id: entry.id })), [act, client]);
  const share = useCallback((entry: LibraryEntry, shared: boolean) =>
    act(shared ? 'Sharing the subgraph' : 'Unsharing the subgraph', shared ? `"${entry.name}" is in everyone's palette` : `"${entry.name}" is yours only again`,
      () => client.subgraphs.setVisibility.mutate({ id: entry.id, visibility: shared ? 'public' : 'private' })), [act, client]);

  return { entries, newerVersion, save, update, rename, remove, share };
}
