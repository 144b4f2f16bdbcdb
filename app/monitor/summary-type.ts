// The monitor.summary answer as the browser receives it (types only, from the server's router).
import type { RouterOutputs } from '../lib/trpc';

export type Summary = RouterOutputs['monitor']['summary'];
export type MonitorWindow = Summary['window'];
export const WINDOWS: [MonitorWindow, string][] = [['1h', '1 h'], ['24h', '24 h'], ['7d', '7 d']];
