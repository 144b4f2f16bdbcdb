'use client';
// The editor's "API" tab: which params callers of the HTTP API may set (graph meta.exposed, saved with the
// next version), a form to expose one more, and ready-to-copy curl commands for running and polling.
import { useEffect, useMemo, useState } from 'react';
import type { CatalogNode } from '../../../nodes/engine/catalog';
import {
  EXPOSED_NAME_PATTERN, ExposedInputError, MAX_EXPOSED_INPUTS, resolveExposed, suggestExposedName,
  type ExposedInput, type ResolvedExposedInput,
} from '../../../nodes/engine/exposed';
import type { Graph } from '../../../nodes/engine/graph';
import { useToast } from '../../shell/toast';

interface Props {
  workflowId: string;
  graph: Graph;
  catalog: ReadonlyMap<string, CatalogNode>;
  canEdit: boolean;
  authMode: 'none' | 'local';
  /** A viewer's share-link token: their calls must carry it too (`?share=`). */
  shareToken?: string;
  onChange(exposed: ExposedInput[]): void;
}

/** A value as the JSON a caller would send, shortened for the list. */
function shortValue(v: unknown): string {
  const text = JSON.stringify(v) ?? 'null';
  return text.length > 48 ? `${text.slice(0, 45)}…` : text;
}

/** Single-quoted for a POSIX shell: a ' inside becomes '\''. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function curlRun(origin: string, workflowId: string, body: Record<string, unknown>, authMode: Props['authMode'], shareToken?: string): string {
  const share = shareToken ? `?share=${encodeURIComponent(shareToken)}` : '';
  return [
    `curl -X POST "${origin}/api/workflows/${encodeURIComponent(workflowId)}/runs${share}" \\`,
    ...(authMode === 'local' ? ['  -H "Authorization: Bearer $STEPFLOW_TOKEN" \\'] : []),
    '  -H "Content-Type: application/json" \\',
    `  -d ${shellQuote(JSON.stringify(body))}`,
  ].join('\n');
}

function curlStatus(origin: string, authMode: Props['authMode']): string {
  const auth = authMode === 'local' ? ' \\\n  -H "Authorization: Bearer $STEPFLOW_TOKEN"' : '';
  return `curl "${origin}/api/runs/$RUN_ID"${auth}`;
}

function CopyBlock({ label, text, testId }: { label: string; text: string; testId: string }) {
  const notify = useToast();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      notify(`${label} copied`, 'success');
    } catch {
      notify('Copy failed: select the text and press Ctrl+C', 'error');
    }
  };
  return (
    <div className="api-curl">
      <div className="api-curl-head">
        <span>{label}</span>
        <button type="button" onClick={() => void copy()} data-testid={testId}>Copy</button>
      </div>
      <pre>{text}</pre>
    </div>
  );
}

function ExposeForm({ graph, catalog, exposed, onAdd }: {
  graph: Graph; catalog: Props['catalog']; exposed: ResolvedExposedInput[]; onAdd(e: ExposedInput): void;
}) {
  const [node, setNode] = useState('');
  const [param, setParam] = useState('');
  const [name, setName] = useState('');
  const taken = useMemo(() => new Set(exposed.map((e) => `${e.node}\0${e.param}`)), [exposed]);
  const names = exposed.map((e) => e.name);
  const candidates = graph.nodes.filter((n) => (catalog.get(n.type)?.params.length ?? 0) > 0);
  const params = (catalog.get(graph.nodes.find((n) => n.id === node)?.type ?? '')?.params ?? [])
    .filter((p) => !taken.has(`${node}\0${p.name}`));
  const problem = !name ? null
    : !EXPOSED_NAME_PATTERN.test(name) ? 'start with a letter or _, then letters, digits or _ (at most 64)'
      : names.includes(name) ? `"${name}" is already an input name` : null;
  const full = exposed.length >= MAX_EXPOSED_INPUTS;

  const pickParam = (p: string) => {
    setParam(p);
    setName(p ? suggestExposedName(p, names) : '');
  };
  const submit = () => {
    if (!node || !param || !name || problem || full) return;
    onAdd({ name, node, param });
    setParam('');
    setName('');
  };

  return (
    <form className="api-expose" onSubmit={(e) => { e.preventDefault(); submit(); }}>
      <h4>Expose a parameter</h4>
      <label>
        Node{' '}
        <select value={node} onChange={(e) => { setNode(e.target.value); pickParam(''); }} data-testid="api-expose-node">
          <option value="">choose a node…</option>
          {candidates.map((n) => (
            <option key={n.id} value={n.id}>{n.title ?? catalog.get(n.type)?.title ?? n.type} ({n.id})</option>
          ))}
        </select>
      </label>
      <label>
        Param{' '}
        <select value={param} onChange={(e) => pickParam(e.target.value)} disabled={!node} data-testid="api-expose-param">
          <option value="">{node && params.length === 0 ? 'all exposed' : 'choose a param…'}</option>
          {params.map((p) => <option key={p.name} value={p.name}>{p.ui.label ?? p.name}</option>)}
        </select>
      </label>
      <label>
        Input name{' '}
        <input value={name} onChange={(e) => setName(e.target.value)} disabled={!param} aria-invalid={problem !== null} data-testid="api-expose-name" />
      </label>
      {problem && <p className="error">{problem}</p>}
      {full && <p className="error">At most {MAX_EXPOSED_INPUTS} inputs.</p>}
      <button type="submit" className="primary" disabled={!node || !param || !name || problem !== null || full} data-testid="api-expose-submit">
        Expose
      </button>
    </form>
  );
}

export function ApiPanel({ workflowId, graph, catalog, canEdit, authMode, shareToken, onChange }: Props) {
  // window is not there during the server render; the examples fill in once mounted.
  const [origin, setOrigin] = useState('http://localhost:3000');
  useEffect(() => setOrigin(window.location.origin), []);

  let exposed: ResolvedExposedInput[] = [];
  let listError: string | null = null;
  try {
    exposed = resolveExposed(graph, catalog);
  } catch (e) {
    if (!(e instanceof ExposedInputError)) throw e;
    listError = e.message;
  }
  const plain = (list: ResolvedExposedInput[]): ExposedInput[] => list.map(({ name, node, param }) => ({ name, node, param }));
  const body = Object.fromEntries(exposed.filter((e) => e.problem === null).map((e) => [e.name, e.default]));

  return (
    <div className="api-panel" data-testid="api-panel">
      <p className="muted">
        Scripts and other services run this workflow over HTTP, setting the inputs below. The API runs the
        <strong> saved</strong> version: {canEdit ? 'changes here become part of the graph and reach callers when you save (a new version).' : 'only the owner changes its inputs.'}
      </p>
      {listError && (
        <div className="error" role="alert">
          The exposed inputs stored in this graph are malformed: {listError}
          {canEdit && <button type="button" onClick={() => onChange([])}>Clear the list</button>}
        </div>
      )}
      <h4>Inputs</h4>
      {exposed.length === 0 && !listError && <p className="muted">None yet: callers run the workflow exactly as saved.</p>}
      <ul className="api-inputs">
        {exposed.map((e) => (
          <li key={e.name} className={e.problem ? 'api-input broken' : 'api-input'} data-testid="api-input-row" data-name={e.name}>
            <div>
              <code>{e.name}</code>{' '}
              <span className="muted">= {e.nodeTitle ?? e.node} ({e.node}) · {e.param}</span>
            </div>
            {e.problem ? <div className="error">{e.problem}</div> : <div className="api-input-value" title={JSON.stringify(e.default)}>{shortValue(e.default)}</div>}
            {canEdit && (
              <button type="button" className="danger" onClick={() => onChange(plain(exposed.filter((x) => x.name !== e.name)))} data-testid="api-input-remove">
                Remove
              </button>
            )}
          </li>
        ))}
      </ul>
      {canEdit && !listError && <ExposeForm graph={graph} catalog={catalog} exposed={exposed} onAdd={(add) => onChange([...plain(exposed), add])} />}

      <h4>Call it</h4>
      {authMode === 'local'
        ? <p className="muted">Set <code>STEPFLOW_TOKEN</code> to a personal token from <a href="/settings">Settings → API tokens</a>.</p>
        : <p className="muted">This server has no accounts (AUTH=none): no token is needed.</p>}
      <CopyBlock label="Start a run (answers with runId and statusUrl)" text={curlRun(origin, workflowId, body, authMode, shareToken)} testId="api-copy-run" />
      <CopyBlock label="Status and output URLs (RUN_ID from the answer above)" text={curlStatus(origin, authMode)} testId="api-copy-status" />
      {authMode === 'local' && <p className="muted">Download the outputs with the same Authorization header.</p>}
    </div>
  );
}
