// The serialisable node catalog the UI draws palette, handles and widgets from.
import type { AnyNodeDefinition, InputSpec, NodeCategory, OutputSpec, ParamSpec, ParamUi, SocketType } from '../define';

export interface CatalogNode {
  type: string;
  version: number;
  title: string;
  category: NodeCategory;
  description: string;
  /** Other tools' names for the node (ComfyUI classes, InvokeAI titles), for the node search; never the title itself. */
  aliases?: string[];
  output: boolean;
  inputs: { name: string; type: SocketType; optional: boolean; description?: string }[];
  outputs: { name: string; type: SocketType; description?: string }[];
  params: { name: string; default: unknown; ui: ParamUi }[];
}

/** `node` with `more` aliases (names found outside its definition, e.g. the ComfyUI import mapping), duplicates dropped. */
export function withAliases(node: CatalogNode, more: readonly string[]): CatalogNode {
  const seen = new Set([node.title.toLowerCase()]);
  const aliases = [...(node.aliases ?? []), ...more].filter((a) => !seen.has(a.toLowerCase()) && seen.add(a.toLowerCase()));
  const { aliases: _old, ...rest } = node;
  return aliases.length ? { ...rest, aliases } : rest;
}

export function describeNode(def: AnyNodeDefinition): CatalogNode {
  return withAliases({
    type: def.type,
    version: def.version,
    title: def.title,
    category: def.category,
    description: def.description,
    output: def.output ?? false,
    inputs: (Object.entries(def.inputs) as [string, InputSpec][]).map(([name, s]) => ({
      name, type: s.type, optional: s.optional ?? false, description: s.description,
    })),
    outputs: (Object.entries(def.outputs) as [string, OutputSpec][]).map(([name, s]) => ({ name, type: s.type, description: s.description })),
    params: (Object.entries(def.params) as [string, ParamSpec][]).map(([name, p]) => ({ name, default: p.default, ui: p.ui })),
  }, def.aliases ?? []);
}
