'use client';
// The editor page once its workflow and catalog are loaded: lays out palette, canvas, run bar, side tabs
// (results, debug, inspect, versions, about, API), and wires the document, run actions, import/export, sharing,
// forking, shortcuts and unsaved-changes guard. Who may do what comes from `access` (workflow-access.ts).
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { XYPosition } from '@xyflow/react';
import type { CatalogNode } from '../../nodes/engine/catalog';
import type { GraphProblem } from '../../nodes/engine/validate';
import type { ArtifactRef } from '../../nodes/engine/events';
import { useTRPC } from '../lib/trpc';
import { downloadGraphJson } from '../lib/workflow-file';
import { ImportFileInput } from '../shell/ImportButton';
import { MoreMenu } from '../shell/MoreMenu';
import { TopNav } from '../shell/TopNav';
import { useToast } from '../shell/toast';
import { setUnsavedChanges } from '../shell/unsaved-guard';
import { AboutPanel } from './panels/AboutPanel';
import { ApiPanel } from './panels/ApiPanel';
import { Canvas } from './canvas/Canvas';
import { DebugBanner } from './debug/DebugBanner';
import { DebugPanel } from './debug/DebugPanel';
import { DraftBanner } from './document/DraftBanner';
import { InspectorPanel } from './panels/InspectorPanel';
import { NodeContextMenu, type NodeMenuTarget } from './nodes/NodeContextMenu';
import { readClipboard, writeClipboard } from './editing/clipboard-store';
import { EditorNodeContext, type EditorNodeServices } from './editor-context';
import { NodeLiveContext, useNodeLiveStore } from './nodes/node-live-store';
import { inputImageUrl } from './nodes/input-image-url';
import { ImageViewer } from './panels/ImageViewer';
import { ImportReport } from './panels/ImportReport';
import { Palette } from './palette/Palette';
import { ResultsPanel } from './panels/ResultsPanel';
import { BatchStrip } from './run/BatchStrip';
import { RunBar } from './run/RunBar';
import { ShareDialog } from './panels/ShareDialog';
import { ShortcutsOverlay } from './panels/ShortcutsOverlay';
import { toggleMinimap } from './canvas/minimap-setting';
import { idleRun, isTerminal } from './run/run-state';
import { useLoraFitNotes } from './nodes/lora-fit';
import { useDebugger } from './debug/useDebugger';
import { useEditorImport } from './document/useEditorImport';
import { useEditorShortcuts } from './editing/useEditorShortcuts';
import { useFork } from './document/useFork';
import { useGraphEditor } from './editing/useGraphEditor';
import { SUBGRAPH_TYPE } from '../../nodes/engine/subgraph';
import { useSubgraphLibrary } from './subgraphs/useSubgraphLibrary';
import { LibrarySubgraphs } from './subgraphs/LibrarySubgraphs';
import { SubgraphSocketItems } from './subgraphs/SubgraphSocketItems';
import { useGroupActions } from './groups/useGroupActions';
import { useNodeStyle } from './nodes/useNodeStyle';
import { useOpenRun } from './run/useOpenRun';
import { useRunActions } from './run/useRunActions';
import { useLiveMode } from './run/useLiveMode';
import { useRunFollower } from './run/useRunFollower';
import { useOpeningState, useWorkflowDocument, type CreatedWorkflow, type LoadedWorkflow } from './document/useWorkflowDocument';
import { VersionsPanel } from './panels/VersionsPanel';
import { WorkflowBanner } from './document/WorkflowBanner';
import { WorkflowTitle } from './document/WorkflowTitle';
import { editorMode, type Visibility, type WorkflowAccess } from './document/workflow-access';
import type { ExposedInput } from '../../nodes/engine/exposed';

export type { LoadedWorkflow };

interface Props {
  workflow: LoadedWorkflow;
  access: WorkflowAccess;
  catalog: readonly CatalogNode[];
  models: ReadonlyMap<string, string[]>;
  /** Per kind: model name -> fp32 / fp16 / int8..., shown in the pickers. */
  modelPrecision?: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** A run whose graph to open on the canvas (/w/<id>?run=<runId>). */
  openRun?: string;
  /** Open with the name field selected (a copy or draft just made). */
  renameNow?: boolean;
  /** A draft's first save stored it. */
  onCreated?(w: CreatedWorkflow): void;
  /** Renames a draft (kept locally until stored). */
  onRename?(name: string): Promise<void>;
}

/** What the panels show of a run that is not of the graph on screen: nothing. */
const NOTHING_SHOWN = { view: idleRun, previews: {}, latentPreviews: {}, stepLog: {} } as const;

type SideTab = 'results' | 'debug' | 'inspect' | 'versions' | 'about' | 'api';
const SIDE_TABS: [SideTab, string][] = [
  ['results', 'Results'], ['debug', 'Debug'], ['inspect', 'Inspect'], ['versions', 'Versions'], ['about', 'About'], ['api', 'API'],
];

export function EditorWorkspace({ workflow, access: initialAccess, catalog, models, modelPrecision, renameNow, onCreated, onRename, openRun }: Props) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const notify = useToast();
  const catalogMap = useMemo(() => new Map(catalog.map((c) => [c.type, c])), [catalog]);
  // The owner's current version opens on the draft kept in this browser, if any (draft-store.ts).
  const drafts = editorMode(initialAccess) === 'edit';
  const opening = useOpeningState(workflow, drafts);
  const editor = useGraphEditor(opening.graph, catalogMap);
  const groupActions = useGroupActions(editor);
  const nodeStyle = useNodeStyle(editor);
  const library = useSubgraphLibrary(editor, editorMode(initialAccess) === 'edit');
  const doc = useWorkflowDocument(workflow, editor, catalogMap, opening, drafts, onCreated);
  // Sharing and tags change here (Share dialog, About tab) without reloading the editor.
  const [access, setAccess] = useState(initialAccess);
  // A save makes a new current version: the About tab (and the old-version banner's "of N") must say the header's.
  const savedVersion = doc.savedVersion;
  useEffect(() => {
    setAccess((a) => (savedVersion > a.currentVersion ? { ...a, currentVersion: savedVersion } : a));
  }, [savedVersion]);
  const mode = editorMode(access);
  const canSave = mode === 'edit';
  const readOnly = mode === 'version';
  const follower = useRunFollower(workflow.id);
  const { batch: pressed, trackBatch } = follower;
  // An old version on screen shows the runs started from this page only, not the workflow's latest run (another
  // graph): results, timings, node badges and previews all describe what is on screen.
  const startedHere = useRef(new Set<string>());
  const followerEnqueued = follower.enqueued;
  const enqueued = useCallback((runId: string, position: number) => {
    startedHere.current.add(runId);
    followerEnqueued(runId, position);
  }, [followerEnqueued]);
  const foreignRun = readOnly && follower.view.runId !== null && !startedHere.current.has(follower.view.runId);
  const { view, previews, latentPreviews, stepLog } = foreignRun ? NOTHING_SHOWN : follower;
  const dbg = useDebugger(view);
  const [batch, setBatch] = useState(1);
  const actions = useRunActions({
    doc, view, enqueued, batch: pressed, trackBatch, count: batch, catalog: catalogMap, canSave,
    shareToken: access.shareToken,
  });
  const [liveMode, setLiveMode] = useState(false);
  useLiveMode({ enabled: liveMode, doc, view, enqueued, trackBatch, shareToken: access.shareToken });
  const imports = useEditorImport(workflow.id, doc, editor.nodes.length);
  useOpenRun(openRun, workflow.id, access.shareToken, doc.load);
  const forking = useFork({
    workflowId: workflow.id, shareToken: access.shareToken, signedIn: access.signedIn || access.authMode === 'none',
    unsavedGraph: () => (doc.dirty ? doc.graph : null),
  });
  const [sharing, setSharing] = useState(false);
  const [shortcutsOpen, setShortcutsOpen] = useState(false);
  const [panel, setPanel] = useState<SideTab>('results');
  const [menu, setMenu] = useState<NodeMenuTarget | null>(null);
  const [inspected, setInspected] = useState<string | null>(null);
  const [viewerUrl, setViewerUrl] = useState<string | null>(null);
  const pointer = useRef<XYPosition | null>(null);
  const importInput = useRef<HTMLInputElement>(null);
  const { dirty } = doc;
  // A draft has no versions, settings or API until its first save stores it.
  const sideTabs = workflow.draft ? SIDE_TABS.filter(([t]) => t === 'results' || t === 'debug' || t === 'inspect') : SIDE_TABS;

  const allProblems = useMemo(() => [...doc.validation.problems, ...actions.extraProblems], [doc.validation, actions.extraProblems]);
  const problemsByNode = useMemo(() => {
    const m = new Map<string, GraphProblem[]>();
    for (const p of allProblems) if (p.nodeId) m.set(p.nodeId, [...(m.get(p.nodeId) ?? []), p]);
    // Also on the inner node itself, shown under its flat id while its subgraph is open.
    for (const p of allProblems) if (p.innerNodeId) m.set(p.innerNodeId, [...(m.get(p.innerNodeId) ?? []), p]);
    return m;
  }, [allProblems]);
  const graphProblems = allProblems.filter((p) => !p.nodeId);

  useEffect(() => {
    setUnsavedChanges(dirty);
    document.title = `${dirty ? '● ' : ''}${workflow.name} — StepFlow`;
    if (!dirty) return;
    const onBeforeUnload = (e: BeforeUnloadEvent) => { e.preventDefault(); e.returnValue = ''; };
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, [dirty, workflow.name]);
  useEffect(() => () => setUnsavedChanges(false), []);

  // A finished run changes the library thumbnail and the run history.
  const ended = view.runId !== null && isTerminal(view.status);
  useEffect(() => {
    if (!ended) return;
    void queryClient.invalidateQueries(trpc.workflows.list.queryFilter());
    void queryClient.invalidateQueries(trpc.runs.list.queryFilter());
  }, [ended, view.runId, queryClient, trpc]);

  const save = () => {
    if (mode === 'version') return notify(`Version ${access.viewingVersion} is read-only: restore it, or go back to the latest version`, 'error');
    if (mode === 'view') return notify('Only the owner can save this workflow. Fork it to keep your changes in your own library.', 'error');
    void doc.save().catch(() => { /* the toast said why */ });
  };
  const ignore = () => undefined;
  const run = () => void actions.run({ count: batch });
  // Debug with nothing to stop at would be a plain Run: say how to set breakpoints instead of starting one.
  const debugRun = () => {
    if (dbg.badges.size === 0 || !dbg.enabled) {
      setPanel('debug');
      notify(dbg.badges.size === 0
        ? 'No breakpoints to stop at: right-click a sampler → Break every step (or Break at step…), then Debug'
        : 'Breakpoints are switched off: tick "Stop at breakpoints" in the Debug tab, then Debug');
      return;
    }
    void actions.run({ ...dbg.debugRunOptions(), queued: dbg.debugging });
  };
  /** The given nodes (default: the selection) into one subgraph node (Ctrl+Shift+G, node and canvas menus). */
  const toSubgraph = (ids?: readonly string[]) => {
    const r = editor.convertSelection(ids);
    if ('error' in r) notify(`${r.error} (then Ctrl+Shift+G)`, 'error');
    else notify('Converted to a subgraph: double-click it to open');
  };
  useEditorShortcuts({
    save,
    run,
    debugRun,
    undo: readOnly ? ignore : editor.undo,
    redo: readOnly ? ignore : editor.redo,
    copy: () => {
      const f = editor.selectedFragment();
      if (f.nodes.length) { writeClipboard(f); notify(`Copied ${f.nodes.length} node(s)`); }
    },
    paste: () => { const f = readClipboard(); if (f && !readOnly) editor.paste(f, pointer.current ?? undefined); },
    duplicate: readOnly ? ignore : editor.duplicate,
    selectAll: editor.selectAll,
    bypass: readOnly ? ignore : () => {
      // A selected group frame bypasses the nodes in it; selected nodes (Ctrl+A after clicking a frame) come first.
      const group = editor.nodes.some((n) => n.selected) ? undefined : editor.groups.find((g) => g.selected);
      const r = group ? groupActions.toggleGroupBypass(group.id) : editor.toggleBypass();
      if (r.count) notify(`${r.on ? 'Bypassed' : 'Un-bypassed'} ${r.count} node(s)${group ? ` in "${group.title}"` : ''}`);
    },
    group: readOnly ? ignore : () => {
      if (!groupActions.createGroup()) notify('Select the nodes to group first (click, Shift+drag or Ctrl+A), then Ctrl+G');
    },
    subgraph: readOnly ? ignore : () => toSubgraph(),
    toggleMinimap,
    showShortcuts: () => setShortcutsOpen(true),
  });


  const artifactsByNode = useMemo(() => {
    const m = new Map<string, ArtifactRef[]>();
    for (const a of view.artifacts) m.set(a.nodeId, [...(m.get(a.nodeId) ?? []), a]);
    return m;
  }, [view.artifacts]);

  const loraFitNotes = useLoraFitNotes(editor.nodes, editor.edges);
  const services: EditorNodeServices = useMemo(() => ({
    catalog: catalogMap,
    models: (kind) => models.get(kind) ?? [],
    modelPrecision: (kind) => modelPrecision?.get(kind) ?? {},
    modelNotes: (nodeId, kind) => (kind === 'loras' ? loraFitNotes(nodeId) : {}),
    problems: problemsByNode,
    lastSeeds: actions.lastSeeds,
    setParam: editor.setParam,
    setControl: editor.setControl,
    setTitle: editor.setTitle,
    openImage: setViewerUrl,
    breakpoints: dbg.badges,
    breakpointState: dbg.badgeState,
    readOnly,
    inputImageUrl: (name) => inputImageUrl(name, { workflowId: workflow.id, shareToken: access.shareToken }),
    subgraphNodes: editor.subgraphNodes,
  }), [editor.subgraphNodes, catalogMap, models, modelPrecision, loraFitNotes, problemsByNode, actions.lastSeeds, editor.setParam, editor.setControl, editor.setTitle, dbg.badges, dbg.badgeState, readOnly, workflow.id, access.shareToken]);

  const live = useNodeLiveStore({ runNodes: view.nodes, previews, artifactsByNode });

  const selectedId = editor.nodes.find((n) => n.selected)?.id ?? null;
  const selectedType = selectedId ? editor.nodes.find((n) => n.id === selectedId)?.data.type : undefined;
  const samplerIds = Object.keys(stepLog);
  const debugNode = (selectedType?.includes('sampler') ? selectedId : null) ?? view.pause?.nodeId ?? samplerIds[0]
    ?? editor.nodes.find((n) => n.data.type === 'sampler' && view.nodes[n.id])?.id ?? null;
  // A pause brings the debugger's tab forward.
  useEffect(() => { if (view.status === 'paused') setPanel('debug'); }, [view.status]);

  const nodeTitle = (id: string) => {
    const n = editor.nodes.find((x) => x.id === id);
    return n ? (n.data.title ?? catalogMap.get(n.data.type)?.title ?? id) : id;
  };

  return (
    <div className="editor">
      <TopNav compact>
        <WorkflowTitle
          id={workflow.id} name={workflow.name} dirty={dirty} version={access.viewingVersion ?? doc.savedVersion} canRename={canSave}
          owner={canSave ? null : access.ownerName} renameNow={renameNow} onRename={onRename}
        />
        {canSave && (
          <>
            <input
              className="save-message" placeholder="version message (optional)" aria-label="Version message"
              value={doc.message} onChange={(e) => doc.setMessage(e.target.value)}
              onKeyDown={(e) => { if (e.key === 'Enter') save(); }}
            />
            <button type="button" onClick={save} title="Save a new version (Ctrl+S)">Save</button>
            {access.authMode === 'local' && !workflow.draft && (
              <button type="button" onClick={() => setSharing(true)} title="Private, anyone with the link, or public" data-testid="share-button">
                Share{access.visibility !== 'private' ? ` · ${access.visibility === 'link' ? 'link' : 'public'}` : ''}
              </button>
            )}
            <ImportFileInput ref={importInput} onFile={(f) => void imports.importFile(f)} />
          </>
        )}
        <RunBar
          view={view} onRun={run} onDebugRun={debugRun} onStop={actions.stop} onPause={dbg.pause} busy={actions.busy}
          count={batch} onCount={setBatch}
          batch={pressed} onStopBatch={actions.stopBatch} onClearQueue={actions.clearQueue} notice={actions.notice}
          live={liveMode} onLive={setLiveMode}
        />
        {/* Secondary actions: kept out of the bar so the header fits at 1280 px with accounts on. */}
        <MoreMenu
          items={[
            ...(canSave ? [{
              label: 'Import…', title: 'Import a StepFlow PNG/JSON or a ComfyUI API-format JSON', onSelect: () => importInput.current?.click(),
            }] : []),
            { label: 'Export JSON', title: 'Download the canvas graph as StepFlow JSON', onSelect: () => downloadGraphJson(workflow.name, doc.graph) },
          ]}
        />
      </TopNav>
      <WorkflowBanner
        workflowId={workflow.id} mode={mode} access={access} forking={forking.busy}
        onFork={() => void forking.fork()} onRestore={(v) => void doc.restore(v).then(() => { window.location.href = `/w/${workflow.id}`; })}
      />
      <DraftBanner draft={doc.restoredDraft} currentVersion={doc.savedVersion} onDiscard={doc.discardDraft} />
      <div className="editor-body">
        {!readOnly && (
          <Palette
            catalog={catalog} onAdd={(type) => editor.addNode(type, besideGraph(editor.nodes))} onShowShortcuts={() => setShortcutsOpen(true)}
            extra={(
              <LibrarySubgraphs
                entries={library.entries} onAdd={(e) => editor.addSubgraph(e.definition, besideGraph(editor.nodes), { id: e.id, version: e.version }, e.subgraphs)}
                onRename={(e, name) => void library.rename(e, name)} onDelete={(e) => void library.remove(e)} onShare={(e, shared) => void library.share(e, shared)}
              />
            )}
          />
        )}
        <EditorNodeContext.Provider value={services}>
          <NodeLiveContext.Provider value={live}>
            <Canvas
              editor={editor} groupActions={groupActions} catalog={catalogMap} pointer={pointer} readOnly={readOnly}
              onFileDrop={canSave ? (f) => void imports.importFile(f) : undefined}
              onNodeMenu={(nodeId, nodeType, at) => setMenu({ nodeId, nodeType, ...at })}
            />
          </NodeLiveContext.Provider>
        </EditorNodeContext.Provider>
        <aside className="side-panel">
          {imports.summary && <ImportReport summary={imports.summary} onClose={imports.dismiss} />}
          <div className="tabs" role="tablist">
            {sideTabs.map(([tab, label]) => (
              <button key={tab} type="button" role="tab" aria-selected={panel === tab} onClick={() => setPanel(tab)}>{label}</button>
            ))}
          </div>
          {graphProblems.length > 0 && (
            <div className="graph-problems">{graphProblems.map((p, i) => <div key={i} className="node-warning">{p.message}</div>)}</div>
          )}
          {panel === 'results' && <ResultsPanel view={view} nodeTitle={nodeTitle} onOpen={setViewerUrl} shareToken={access.shareToken} />}
          {panel === 'results' && pressed && workflow.id && <BatchStrip batch={pressed} workflowId={workflow.id} onOpen={setViewerUrl} />}
          {panel === 'debug' && (
            <DebugPanel
              view={view} nodeId={debugNode} stepLog={stepLog} previews={previews} latentPreviews={latentPreviews}
              breakpoints={dbg.badges} enabled={dbg.enabled} onEnabled={dbg.setEnabled} onClearAll={dbg.clearAll} nodeTitle={nodeTitle}
            />
          )}
          {panel === 'inspect' && (
            <InspectorPanel
              runId={view.runId} nodeId={selectedId ?? inspected} nodeTitle={nodeTitle} refreshKey={`${view.status}`}
              pause={view.status === 'paused' ? view.pause : undefined} live={view.nodes} previews={previews} latentPreviews={latentPreviews}
            />
          )}
          {panel === 'versions' && (
            <VersionsPanel
              workflowId={workflow.id} current={doc.savedVersion} viewing={access.viewingVersion} canEdit={access.canEdit}
              shareToken={access.shareToken} canvasGraph={doc.graph}
              onRestore={(v) => void (mode === 'version' ? doc.restore(v).then(() => { window.location.href = `/w/${workflow.id}`; }) : doc.restore(v))}
            />
          )}
          {panel === 'about' && (
            <AboutPanel
              workflowId={workflow.id} name={workflow.name} access={access}
              onTags={(tags) => setAccess((a) => ({ ...a, tags }))} onDescription={(description) => setAccess((a) => ({ ...a, description }))}
            />
          )}
          {panel === 'api' && (
            <ApiPanel
              workflowId={workflow.id} graph={doc.graph} catalog={catalogMap} canEdit={canSave} authMode={access.authMode}
              shareToken={access.shareToken}
              onChange={(list: ExposedInput[]) => doc.setMetaField('exposed', list.length ? list : undefined)}
            />
          )}
        </aside>
      </div>
      <DebugBanner view={view} nodeTitle={nodeTitle} onStep={dbg.step} onResume={dbg.resume} onCancel={actions.stop} />
      {menu && (
        <NodeContextMenu
          target={menu}
          isSampler={catalogMap.get(menu.nodeType)?.outputs.some((o) => o.type === 'LATENT') === true && menu.nodeType.includes('sampler')}
          everyStep={dbg.breakpoints.everyStep.includes(menu.nodeId)}
          beforeNode={dbg.breakpoints.beforeNodes.includes(menu.nodeId)}
          onClose={() => setMenu(null)}
          onBreakAtStep={(step) => dbg.addStep(menu.nodeId, step)}
          onToggleEveryStep={() => dbg.toggleEveryStep(menu.nodeId)}
          onToggleBeforeNode={() => dbg.toggleBeforeNode(menu.nodeId)}
          onClearBreakpoints={() => dbg.clear(menu.nodeId)}
          onRunToHere={() => { setInspected(menu.nodeId); setPanel('inspect'); void actions.run({ targets: [menu.nodeId] }); }}
          bypassed={editor.nodes.find((n) => n.id === menu.nodeId)?.data.mode === 'bypass'}
          onToggleBypass={readOnly ? undefined : () => { editor.toggleBypass([menu.nodeId]); }}
          collapsed={editor.nodes.find((n) => n.id === menu.nodeId)?.data.collapsed === true}
          onToggleCollapsed={readOnly ? undefined : () => editor.toggleCollapsed(menu.nodeId)}
          color={editor.nodes.find((n) => n.id === menu.nodeId)?.data.color}
          pinned={editor.nodes.find((n) => n.id === menu.nodeId)?.data.pinned === true}
          onColor={readOnly ? undefined : (c) => nodeStyle.setColor(menu.nodeId, c)}
          onTogglePinned={readOnly ? undefined : () => nodeStyle.togglePinned(menu.nodeId)}
          onDuplicate={readOnly ? undefined : () => editor.duplicateNode(menu.nodeId)}
          onDelete={readOnly ? undefined : () => editor.removeNodes([menu.nodeId])}
          onConvertToSubgraph={readOnly ? undefined : () => {
            const selected = editor.nodes.filter((n) => n.selected).map((n) => n.id);
            toSubgraph(selected.includes(menu.nodeId) ? selected : [menu.nodeId]);
          }}
          onOpenSubgraph={menu.nodeType === SUBGRAPH_TYPE ? () => editor.openSubgraph(menu.nodeId) : undefined}
          onSaveSubgraph={menu.nodeType === SUBGRAPH_TYPE && canSave ? () => void library.save(menu.nodeId) : undefined}
          updateSubgraphTo={menu.nodeType === SUBGRAPH_TYPE && !readOnly ? library.newerVersion(menu.nodeId) ?? undefined : undefined}
          onUpdateSubgraph={() => void library.update(menu.nodeId)}
          promotable={editor.subgraphPath.length && menu.nodeType !== SUBGRAPH_TYPE ? catalogMap.get(menu.nodeType)?.params.map((q) => q.name) : undefined}
          onPromote={readOnly ? undefined : (param) => {
            const r = editor.promoteParam(menu.nodeId, param);
            if ('error' in r) notify(r.error, 'error');
            else notify(`"${param}" is now set on the subgraph node${r.name === param ? '' : ` (as "${r.name}")`}`);
          }}
          onUnpackSubgraph={menu.nodeType === SUBGRAPH_TYPE && !readOnly ? () => {
            const r = editor.unpackSubgraph(menu.nodeId);
            if (r) notify(r.error, 'error');
          } : undefined}
        >
          {!readOnly && <SubgraphSocketItems nodeId={menu.nodeId} editor={editor} catalog={catalogMap} notify={notify} onClose={() => setMenu(null)} />}
        </NodeContextMenu>
      )}
      {shortcutsOpen && <ShortcutsOverlay onClose={() => setShortcutsOpen(false)} />}
      {viewerUrl && <ImageViewer url={viewerUrl} onClose={() => setViewerUrl(null)} />}
      {sharing && (
        <ShareDialog
          workflowId={workflow.id} name={workflow.name} visibility={access.visibility} shareToken={access.ownerShareToken}
          onChanged={(visibility: Visibility, token) => setAccess((a) => ({ ...a, visibility, ownerShareToken: token }))}
          onClose={() => setSharing(false)}
        />
      )}
    </div>
  );
}

/** Where a palette click drops a node: right of the current graph, so it never lands on top of one. */
function besideGraph(nodes: readonly { position: XYPosition }[]): XYPosition {
  if (!nodes.length) return { x: 0, y: 0 };
  const maxX = Math.max(...nodes.map((n) => n.position.x));
  const minY = Math.min(...nodes.map((n) => n.position.y));
  return { x: maxX + 320, y: minY };
}
