'use client';
// The canvas node, generated from its catalog entry: typed handles per socket, param widgets,
// run status, live preview, output images and validation messages; collapsed, its title bar only.
import { memo, useState, type CSSProperties } from 'react';
import { Handle, Position, type NodeProps } from '@xyflow/react';
import type { FlowNode } from '../editing/graph-mapping';
import { useEditorServices } from '../editor-context';
import { useNodeArtifacts, useNodePreview, useNodeRun } from './node-live-store';
import { ParamWidget } from './ParamWidget';
import { UnknownNodeView } from './UnknownNodeView';
import { socketColor } from '../canvas/socket-colors';
import { artifactUrl } from '../run/run-state';
import { countRender } from './render-count';
import { useNodeActions } from './node-actions';
import { RerouteNodeView } from './RerouteNodeView';
import { isPrimitive, paramSocketType } from '../../../nodes/engine/param-inputs';
import './node-style.css';
import { SUBGRAPH_TYPE } from '../../../nodes/engine/subgraph';

function GraphNodeViewImpl({ id, data, selected }: NodeProps<FlowNode>) {
  countRender(id);
  const s = useEditorServices();
  const actions = useNodeActions();
  const def = data.type === SUBGRAPH_TYPE ? s.subgraphNodes?.get(data.subgraph ?? '') : s.catalog.get(data.type);
  const problems = s.problems.get(id) ?? [];
  const run = useNodeRun(id);
  const preview = useNodePreview(id);
  const outputs = useNodeArtifacts(id);
  const status = run?.status;
  const cls = [
    'graph-node',
    selected ? 'selected' : '',
    problems.length ? 'has-problems' : '',
    status ? `run-${status}` : '',
    data.mode === 'bypass' ? 'bypassed' : '',
    data.type === 'note' ? 'note-node' : '',
    data.color ? 'tinted' : '',
    data.pinned ? 'pinned' : '',
    data.type === SUBGRAPH_TYPE ? 'subgraph-node' : '',
  ].join(' ');
  const tint = data.color ? ({ '--node-color': data.color } as CSSProperties) : undefined;
  const pin = data.pinned && <span className="pin-badge" data-testid="pin-badge" role="img" aria-label="pinned" title="Pinned: cannot be dragged (Unpin in the node's menu)">📌</span>;

  if (!def) return <UnknownNodeView id={id} type={data.type} title={data.title} className={cls} />;
  if (data.type === 'reroute') return <RerouteNodeView id={id} selected={!!selected} problems={problems} />;
  // Params converted to inputs are drawn as input sockets fed by a primitive's wire, their widgets hidden.
  const asInputs = new Set(data.paramInputs ?? []);
  const paramSockets = def.params.flatMap((p) => {
    const type = asInputs.has(p.name) ? paramSocketType(p.ui) : undefined;
    return type ? [{ name: p.name, label: p.ui.label ?? p.name, type }] : [];
  });
  const widgets = def.params.filter((p) => !paramSockets.some((s) => s.name === p.name));
  const collapse = actions && !s.readOnly && (
    <button
      type="button" className="collapse-toggle nodrag" data-testid="collapse-toggle"
      aria-label={data.collapsed ? 'Expand node' : 'Collapse node'} title={data.collapsed ? 'Expand' : 'Collapse to the title bar'}
      onClick={(e) => { e.stopPropagation(); actions.toggleCollapsed(id); }}
    >{data.collapsed ? '▸' : '▾'}</button>
  );
  if (data.collapsed) {
    // Title bar only. Every socket keeps its handle, stacked at the bar's edges, so wires still attach and a wire
    // dropped on the bar connects to the first socket that fits (Canvas.tsx).
    return (
      <div
        className={`${cls} collapsed`} data-testid="graph-node" data-node-type={data.type} data-node-id={id}
        data-run-status={status ?? 'idle'} data-mode={data.mode ?? 'normal'} data-collapsed="true"
        title={problems.map((p) => p.message).join('\n') || undefined} style={tint}
      >
        <div className="graph-node-header">
          <NodeTitle
            title={data.title ?? def.title} typeTitle={def.title} readOnly={s.readOnly}
            onRename={(t) => s.setTitle(id, t === def.title ? '' : t)}
          />
          {pin}
          {status && status !== 'waiting' && <span className={`node-status node-status-${status}`} data-testid="node-status">{statusLabel(run)}</span>}
          {collapse}
        </div>
        {def.inputs.map((inp) => (
          <Handle key={inp.name} type="target" position={Position.Left} id={inp.name} data-socket-type={inp.type} style={{ background: socketColor(inp.type) }} />
        ))}
        {paramSockets.map((ps) => (
          <Handle key={ps.name} type="target" position={Position.Left} id={ps.name} data-socket-type={ps.type} style={{ background: socketColor(ps.type) }} />
        ))}
        {def.outputs.map((out) => (
          <Handle key={out.name} type="source" position={Position.Right} id={out.name} data-socket-type={out.type} style={{ background: socketColor(out.type) }} />
        ))}
      </div>
    );
  }

  const badParams = new Set(problems.map((p) => p.param).filter(Boolean));
  const badInputs = new Set(problems.map((p) => p.input).filter(Boolean));
  return (
    <div className={cls} data-testid="graph-node" data-node-type={data.type} data-node-id={id} data-run-status={status ?? 'idle'} data-run-step={run?.step ?? ''} data-mode={data.mode ?? 'normal'} style={tint}>
      <div className="graph-node-header" title={def.description}>
        <NodeTitle
          title={data.title ?? def.title} typeTitle={def.title} readOnly={s.readOnly}
          onRename={(t) => s.setTitle(id, t === def.title ? '' : t)}
        />
        {pin}
        {data.mode === 'bypass' && <span className="bypass-badge" data-testid="bypass-badge" title="Bypassed: does not run; inputs pass through (Ctrl+B)">bypassed</span>}
        {s.breakpoints.get(id) && (
          <span className={`breakpoint-badge breakpoint-${s.breakpointState}`} data-testid="breakpoint-badge" data-state={s.breakpointState} title={`breakpoint: ${s.breakpoints.get(id)} — ${BREAKPOINT_STATE[s.breakpointState]}`}>● {s.breakpoints.get(id)}</span>
        )}
        {status && status !== 'waiting' && <span className={`node-status node-status-${status}`} data-testid="node-status">{statusLabel(run)}</span>}
        {collapse}
      </div>
      {run?.total ? (
        <div className="node-progress"><div style={{ width: `${(100 * (run.step ?? 0)) / run.total}%` }} /></div>
      ) : null}
      <div className="graph-node-sockets">
        <div className="sockets-in">
          {def.inputs.map((inp) => (
            <div key={inp.name} className={`socket socket-in${badInputs.has(inp.name) ? ' socket-missing' : ''}`} title={inp.description}>
              <Handle
                type="target" position={Position.Left} id={inp.name}
                data-socket-type={inp.type} style={{ background: socketColor(inp.type) }}
              />
              <span>{inp.name}{inp.optional ? '' : ''}</span>
              <span className="socket-type" style={{ color: socketColor(inp.type) }}>{inp.type}</span>
            </div>
          ))}
          {paramSockets.map((ps) => (
            <div key={ps.name} className={`socket socket-in socket-param${badInputs.has(ps.name) ? ' socket-missing' : ''}`} data-testid={`param-input-${ps.name}`}>
              <Handle type="target" position={Position.Left} id={ps.name} data-socket-type={ps.type} style={{ background: socketColor(ps.type) }} />
              <span>{ps.label}</span>
              <span className="socket-type" style={{ color: socketColor(ps.type) }}>{ps.type}</span>
              {actions && !s.readOnly && (
                <button
                  type="button" className="param-convert nodrag" aria-label={`Convert ${ps.label} to widget`}
                  title="Convert to widget (type the value in this node)" onClick={(e) => { e.stopPropagation(); actions.toggleParamInput(id, ps.name); }}
                >⇥</button>
              )}
            </div>
          ))}
        </div>
        <div className="sockets-out">
          {def.outputs.map((out) => (
            <div key={out.name} className="socket socket-out" title={out.description}>
              <span className="socket-type" style={{ color: socketColor(out.type) }}>{out.type}</span>
              <span>{out.name}</span>
              <Handle
                type="source" position={Position.Right} id={out.name}
                data-socket-type={out.type} style={{ background: socketColor(out.type) }}
              />
            </div>
          ))}
        </div>
      </div>
      {widgets.length > 0 && (
        <fieldset className="graph-node-params" disabled={s.readOnly}>
          {widgets.map((p) => (
            <div key={p.name} className="param-line">
              <ParamWidget
                param={p}
                value={data.params[p.name] ?? p.default}
                control={data.controls?.[p.name]}
                lastSeed={p.ui.widget === 'seed' ? s.lastSeeds[`${id}.${p.name}`] : undefined}
                models={p.ui.widget === 'model' ? s.models(p.ui.modelKind ?? '') : []}
                modelPrecision={p.ui.widget === 'model' ? s.modelPrecision(p.ui.modelKind ?? '') : undefined}
                modelNotes={p.ui.widget === 'model' ? s.modelNotes(id, p.ui.modelKind ?? '') : undefined}
                invalid={badParams.has(p.name)}
                onChange={(v) => s.setParam(id, p.name, v)}
                onControl={(c) => s.setControl(id, p.name, c)}
              />
              {actions && !s.readOnly && !isPrimitive(data) && paramSocketType(p.ui) && (
                <button
                  type="button" className="param-convert nodrag" aria-label={`Convert ${p.ui.label ?? p.name} to input`}
                  title="Convert to input (feed it from a primitive node's wire)" onClick={(e) => { e.stopPropagation(); actions.toggleParamInput(id, p.name); }}
                >⇤</button>
              )}
            </div>
          ))}
        </fieldset>
      )}
      {preview && !outputs.length && (
        <img className="node-preview" data-testid="node-preview" src={preview} alt={`preview step ${run?.previewStep ?? ''}`} />
      )}
      {outputs.map((a) => (
        <button key={a.id ?? a.filename} type="button" className="node-output nodrag" onClick={() => s.openImage(artifactUrl(a))}>
          <img data-testid="output-image" src={artifactUrl(a)} alt={a.filename} width={a.width} height={a.height} />
        </button>
      ))}
      {problems.map((p, i) => (
        <div key={i} className="node-error" data-testid="node-error">{p.message}</div>
      ))}
      {run?.message && <div className={run.status === 'failed' ? 'node-error' : 'node-warning'}>{run.message}</div>}
    </div>
  );
}

const BREAKPOINT_STATE = {
  active: 'Debug (Ctrl+Shift+Enter) stops here; Run does not',
  off: 'breakpoints are switched off (Debug tab)',
  ignored: 'this run was started with Run, which does not stop at breakpoints',
} as const;

function statusLabel(run: { status: string; step?: number; total?: number; ms?: number }): string {
  if (run.status === 'running' && run.total) return `${run.step}/${run.total}`;
  if ((run.status === 'done' || run.status === 'cached') && run.ms !== undefined) return `${run.status} ${formatMs(run.ms)}`;
  return run.status;
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export const GraphNodeView = memo(GraphNodeViewImpl);

/** Double-click to rename a node (Enter keeps, Escape cancels; an empty name goes back to the type's title). */
function NodeTitle({ title, typeTitle, readOnly, onRename }: { title: string; typeTitle: string; readOnly: boolean; onRename(t: string): void }) {
  const [draft, setDraft] = useState<string | null>(null);
  if (draft === null) {
    return (
      <span
        className="graph-node-title" data-testid="node-title" data-title={title}
        title={readOnly ? undefined : title === typeTitle ? 'Double-click to rename' : `${typeTitle} — double-click to rename`}
        onDoubleClick={readOnly ? undefined : (e) => { e.stopPropagation(); setDraft(title); }}
      >
        {title}
      </span>
    );
  }
  const done = (keep: boolean) => {
    if (keep && draft.trim() !== title) onRename(draft);
    setDraft(null);
  };
  return (
    <input
      className="graph-node-title-input nodrag" aria-label="Node title" autoFocus value={draft} maxLength={100}
      onChange={(e) => setDraft(e.target.value)}
      onBlur={() => done(true)}
      onKeyDown={(e) => {
        e.stopPropagation(); // Delete/Backspace edit the text, not the graph
        if (e.key === 'Enter') done(true);
        if (e.key === 'Escape') done(false);
      }}
    />
  );
}
