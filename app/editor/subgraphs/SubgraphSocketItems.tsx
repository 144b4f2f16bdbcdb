'use client';
// Node-menu items inside an opened subgraph: an inner node's unwired inputs and its outputs as new sockets of the
// subgraph node, and removal of the sockets that stand for its own (refused while wired outside).
import type { GraphEditor } from '../editing/useGraphEditor';
import type { CatalogNode } from '../../../nodes/engine/catalog';
import { isReroute } from '../../../nodes/engine/reroute';
import { socketChoices } from './socket-choices';

interface Props {
  nodeId: string;
  editor: GraphEditor;
  catalog: ReadonlyMap<string, CatalogNode>;
  notify(message: string, kind?: 'error'): void;
  onClose(): void;
}

export function SubgraphSocketItems({ nodeId, editor, catalog, notify, onClose }: Props) {
  const top = editor.subgraphPath.at(-1);
  const def = top && editor.subgraphs[top.key];
  const node = editor.nodes.find((n) => n.id === nodeId);
  const prefix = top ? `${top.nodeId}/` : '';
  if (!def || !node || !nodeId.startsWith(prefix) || isReroute(node.data)) return null;
  const sockets = node.data.type === 'subgraph' ? editor.subgraphNodes.get(node.data.subgraph ?? '') : catalog.get(node.data.type);
  if (!sockets) return null;
  const wired = new Set(editor.edges.filter((e) => e.target === nodeId && e.targetHandle).map((e) => e.targetHandle!));
  const choices = socketChoices(def, nodeId.slice(prefix.length), sockets, wired);
  const act = (fn: () => void) => () => { fn(); onClose(); };
  const expose = (side: 'input' | 'output', socket: string) => act(() => {
    const r = editor.exposeSocket(nodeId, side, socket);
    if ('error' in r) notify(r.error, 'error');
    else notify(`The subgraph node has a new ${side} "${r.name}"`);
  });
  const remove = (side: 'input' | 'output', name: string) => act(() => {
    const r = editor.removeSocket(side, name);
    if (r) notify(r.error, 'error');
  });
  return (
    <>
      {choices.inputs.map((s) => (
        <button key={`in-${s}`} type="button" role="menuitem" onClick={expose('input', s)} title="Wire it from outside, on the subgraph node">
          Expose input “{s}” on the subgraph node
        </button>
      ))}
      {choices.outputs.map((s) => (
        <button key={`out-${s}`} type="button" role="menuitem" onClick={expose('output', s)} title="Wire it onwards from the subgraph node, outside">
          Expose output “{s}” on the subgraph node
        </button>
      ))}
      {choices.exposed.map((s) => (
        <button key={`rm-${s.side}-${s.name}`} type="button" role="menuitem" onClick={remove(s.side, s.name)} title="Only when no wire uses it outside">
          Remove subgraph {s.side} “{s.name}”
        </button>
      ))}
    </>
  );
}
