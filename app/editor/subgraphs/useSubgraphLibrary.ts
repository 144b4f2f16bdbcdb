'use client';
// The subgraph library from the editor: palette entries (subgraphs.list), "Save subgraph to library" (a new entry,
// or a new version of the one the node is pinned to) and "Update to vN" when the library has a newer version.
import { useCallback, useMemo } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTRPC, useTRPCClient } from '../../lib/trpc';
import { useToast } from '../../shell/toast';
import type { GraphEditor } from '../editing/useGraphEditor';

export function useSubgraphLibrary(editor: GraphEditor, enabled: boolean) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const notify = useToast();
  const list = useQuery(trpc.subgraphs.list.queryOptions(undefined, { enabled }));
  const entries = useMemo(() => list.data ?? [], [list.data]);

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
    try {
      const r = await client.subgraphs.save.mutate({ id: found.def.library?.id, name, definition: found.def });
      editor.replaceDefinition(found.key, { ...found.def, name, library: { id: r.id, version: r.version } });
      void queryClient.invalidateQueries(trpc.subgraphs.list.queryFilter());
      notify(`Saved "${name}" to the library as version ${r.version}`, 'success');
    } catch (e) {
      notify(`Saving the subgraph failed: ${(e as Error).message}`, 'error');
    }
  }, [client, definitionOf, editor, notify, queryClient, trpc]);

  const update = useCallback(async (nodeId: string) => {
    const found = definitionOf(nodeId);
    const pin = found?.def.library;
    if (!found || !pin) return;
    try {
      const r = await client.subgraphs.get.query({ id: pin.id });
      editor.replaceDefinition(found.key, { ...r.definition, library: { id: r.id, version: r.version } });
      notify(`"${r.name}" updated to version ${r.version}`, 'success');
    } catch (e) {
      notify(`Updating the subgraph failed: ${(e as Error).message}`, 'error');
    }
  }, [client, definitionOf, editor, notify]);

  return { entries, newerVersion, save, update };
}
