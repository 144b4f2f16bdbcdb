// /monitor's number formats and worker rows: what a person reads off the page.
import { describe, expect, it } from 'vitest';
import { bytes, millis, mos, percent, seconds } from './monitor-format';
import { workerRows } from './worker-rows';

describe('monitor formats', () => {
  it('write durations, rates, sizes and MOS the way the tables show them', () => {
    expect([seconds(0.042), seconds(3.254), seconds(12.34), seconds(95), seconds(null)]).toEqual(['42 ms', '3.25 s', '12.3 s', '1 min 35 s', '—']);
    expect([millis(7), millis(2500), millis(undefined)]).toEqual(['7 ms', '2.50 s', '—']);
    expect([percent(1), percent(0), percent(0.975), percent(2 / 3), percent(null)]).toEqual(['100 %', '0 %', '97.5 %', '66.7 %', '—']);
    expect([bytes(512), bytes(1536), bytes(250 * 1024 ** 2), bytes(3.5 * 1024 ** 3), bytes(null)]).toEqual(['512 B', '1.5 KiB', '250 MiB', '3.5 GiB', '—']);
    expect([mos(3, 1.96), mos(5, null), mos(null, null), mos(2.25, 0.125)]).toEqual(['3.0 ± 1.96', '5.0', '—', '2.3 ± 0.13']);
  });
});

describe('workerRows', () => {
  it('reads a local worker and a worker host alike, adds their runs, and skips what is not a report', () => {
    const local = { id: '1', state: 'idle', provider: 'cpu', runId: null, promptCache: null, pool: 'default', memory: { rss: 300e6, onnxSessions: 20e6 } };
    const host = {
      id: 'h-2', name: 'gpu-box', pool: 'gpu', provider: 'cuda', device: 1, state: 'busy', runId: 'r9', warm: ['abc123'], modelLoads: 3,
      memory: null, freeMemoryBytes: 1e9,
    };
    expect(workerRows([host, 'nonsense', null, { state: 'idle' }, local], [{ workerId: '1', runs: 2, failed: 1 }])).toEqual([
      { id: '1', name: null, state: 'idle', provider: 'cpu', device: null, pool: 'default', rss: 300e6, onnxSessions: 20e6, gpu: null, warm: [], modelLoads: null, runId: null, runs: 2, failed: 1 },
      { id: 'h-2', name: 'gpu-box', state: 'busy', provider: 'cuda', device: 1, pool: 'gpu', rss: null, onnxSessions: null, gpu: null, warm: ['abc123'], modelLoads: 3, runId: 'r9', runs: 0, failed: 0 },
    ]);
  });
});
