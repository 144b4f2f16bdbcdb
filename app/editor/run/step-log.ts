// One sampler step as the debugger shows it: live (from node:preview) or stored (runs.steps).
import type { ChannelStats } from '../../../nodes/runtime/tensor';

export interface StepSample {
  step: number;
  total: number;
  sigma?: number;
  timestep?: number;
  stats: ChannelStats[];
}

/** "sigma 14.61 · t 999", or '' when the step carries neither. */
export function noiseLevel(s: { sigma?: number; timestep?: number } | undefined): string {
  if (!s) return '';
  const parts: string[] = [];
  if (s.sigma !== undefined) parts.push(`sigma ${s.sigma.toFixed(3)}`);
  if (s.timestep !== undefined) parts.push(`t ${Math.round(s.timestep)}`);
  return parts.join(' · ');
}
