'use client';
// Shown on the canvas while a subgraph is open: where you are (workflow › subgraph › …), each step a way back.
import type { Level } from './levels';
import './subgraphs.css';

export function SubgraphBreadcrumb({ path, onBack }: { path: readonly Level[]; onBack(depth: number): void }) {
  if (!path.length) return null;
  return (
    <nav className="subgraph-breadcrumb" aria-label="Subgraph path" data-testid="subgraph-breadcrumb">
      <button type="button" onClick={() => onBack(0)} title="Back to the workflow">Workflow</button>
      {path.map((level, i) => (
        <span key={level.nodeId}>
          {' › '}
          {i === path.length - 1
            ? <strong aria-current="page">{level.name}</strong>
            : <button type="button" onClick={() => onBack(i + 1)}>{level.name}</button>}
        </span>
      ))}
    </nav>
  );
}
