'use client';
// What every canvas node needs besides its own data: the catalog, models, live problems and the param editing
// callbacks. Kept out of node.data so graph data stays pure. Run state and previews change at the preview rate and
// reach each node through its own selectors instead (node-live-store.ts).
import { createContext, useContext } from 'react';
import type { CatalogNode } from '../../nodes/engine/catalog';
import type { GraphProblem } from '../../nodes/engine/validate';
import type { SeedControl } from './editing/graph-mapping';

export interface EditorNodeServices {
  catalog: ReadonlyMap<string, CatalogNode>;
  /** Model names per model kind, for model pickers. */
  models: (kind: string) => string[];
  /** Model name -> precision (fp32, fp16, int8...) per model kind, shown next to the name in pickers. */
  modelPrecision: (kind: string) => Readonly<Record<string, string>>;
  /** Model name -> a note for this node's picker (a LoRA that does not fit the checkpoint wired into the loader). */
  modelNotes: (nodeId: string, kind: string) => Readonly<Record<string, string>>;
  problems: ReadonlyMap<string, GraphProblem[]>;
  /** Seeds the server actually used in the last run this tab enqueued (controls random/increment). */
  lastSeeds: Readonly<Record<string, number>>;
  setParam(nodeId: string, name: string, value: unknown): void;
  setControl(nodeId: string, name: string, control: SeedControl): void;
  setTitle(nodeId: string, title: string): void;
  openImage(url: string): void;
  /** Breakpoint badge text per node (always shown; dimmed unless a debugger run would stop there: useDebugger.ts). */
  breakpoints: ReadonlyMap<string, string>;
  breakpointState: 'active' | 'off' | 'ignored';
  /** An old version is shown: widgets are disabled. */
  readOnly: boolean;
  /** The Load Image thumbnail's URL (through this workflow and its share token: input-image-url.ts). */
  inputImageUrl(name: string): string;
  /** How subgraph nodes are drawn, by definition key (nodes/engine/subgraph-edit.ts subgraphCatalogNode). */
  subgraphNodes?: ReadonlyMap<string, CatalogNode>;
}

export const EditorNodeContext = createContext<EditorNodeServices | null>(null);

export function useEditorServices(): EditorNodeServices {
  const s = useContext(EditorNodeContext);
  if (!s) throw new Error('canvas nodes must render inside the editor (EditorNodeContext missing)');
  return s;
}
