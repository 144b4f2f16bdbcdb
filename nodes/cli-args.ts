// Argument parsing and `--set node.param=value` coercion for the headless runner.
import type { CatalogNode } from './engine/catalog';
import type { Graph } from './engine/graph';

export interface CliArgs {
  command: string;
  file?: string;
  sets: string[];
  out: string;
  repeat: number;
  json: boolean;
  targets: string[];
}

export class CliUsageError extends Error {
  readonly code = 'usage';
}

export const USAGE = `usage: npm run graph -- run <workflow> [--set <nodeId>.<param>=<value> ...] [--out <dir>] [--repeat N] [--target <nodeId>] [--json]
       npm run graph -- validate <workflow>
       (<workflow>: a StepFlow graph .json, a PNG StepFlow saved (its graph is embedded), or a ComfyUI API-format .json)
       npm run graph -- catalog`;

export function parseArgs(argv: string[]): CliArgs {
  const args: CliArgs = { command: argv[0] ?? 'help', sets: [], out: 'out', repeat: 1, json: false, targets: [] };
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new CliUsageError(`${a} needs a value`);
      return v;
    };
    if (a === '--set') args.sets.push(value());
    else if (a.startsWith('--set=')) args.sets.push(a.slice(6));
    else if (a === '--out') args.out = value();
    else if (a === '--target') args.targets.push(value());
    else if (a === '--json') args.json = true;
    else if (a === '--repeat') {
      args.repeat = Number(value());
      if (!Number.isInteger(args.repeat) || args.repeat < 1) throw new CliUsageError('--repeat needs a positive integer');
    } else if (a.startsWith('--')) throw new CliUsageError(`unknown option ${a}`);
    else if (!args.file) args.file = a;
    else throw new CliUsageError(`unexpected argument "${a}"`);
  }
  return args;
}

/** Applies `node.param=value`, converting the text to the param's type from the catalog. */
export function applySet(graph: Graph, catalog: readonly CatalogNode[], set: string): void {
  const m = /^([^.=]+)\.([^=]+)=(.*)$/s.exec(set);
  if (!m) throw new CliUsageError(`--set "${set}" must look like <nodeId>.<param>=<value>`);
  const [, nodeId, name, raw] = m;
  const node = graph.nodes.find((n) => n.id === nodeId);
  if (!node) throw new CliUsageError(`--set: no node "${nodeId}"; nodes: ${graph.nodes.map((n) => n.id).join(', ')}`);
  const def = catalog.find((c) => c.type === node.type);
  const p = def?.params.find((x) => x.name === name);
  if (!p) {
    throw new CliUsageError(`--set: node "${nodeId}" (${node.type}) has no param "${name}"; params: ${def?.params.map((x) => x.name).join(', ')}`);
  }
  let value: unknown = raw;
  if (p.ui.valueType === 'int' || p.ui.valueType === 'float') {
    value = Number(raw);
    if (raw.trim() === '' || Number.isNaN(value)) throw new CliUsageError(`--set ${nodeId}.${name}: "${raw}" is not a number`);
  } else if (p.ui.valueType === 'boolean') {
    if (!['true', 'false'].includes(raw)) throw new CliUsageError(`--set ${nodeId}.${name}: use true or false`);
    value = raw === 'true';
  }
  node.params = { ...node.params, [name]: value };
}
