// GPU memory in use on a worker's CUDA device, from `nvidia-smi --query-gpu` (the driver's own account, which includes
// the CUDA provider's arena). Asked at most every few seconds and off the main thread's critical path: a heartbeat
// answer carries the last reading. On a CPU worker, or where nvidia-smi is missing, there is no reading at all (the
// metric's `gpu` series is absent, not zero).
import { execFile } from 'node:child_process';

/** Bytes used on each GPU listed by `--query-gpu=index,memory.used --format=csv,noheader,nounits` (MiB). */
export function parseNvidiaSmi(output: string): Map<number, number> {
  const used = new Map<number, number>();
  for (const line of output.split('\n')) {
    const m = /^\s*(\d+)\s*,\s*(\d+(?:\.\d+)?)\s*$/.exec(line);
    if (m) used.set(Number(m[1]), Math.round(Number(m[2]) * 1024 * 1024));
  }
  return used;
}

export interface GpuMemoryProbe {
  /** The last reading for the device, if any. */
  bytes(): number | undefined;
  stop(): void;
}

type Run = (file: string, args: string[]) => Promise<string>;

const runFile: Run = (file, args) => new Promise((resolve, reject) => {
  execFile(file, args, { timeout: 5000 }, (e, stdout) => (e ? reject(e) : resolve(stdout)));
});

/** Polls nvidia-smi for `device` every `intervalMs`; gives up quietly (no reading) once it fails. */
export function startGpuMemoryProbe(device: number, intervalMs = 5000, run: Run = runFile): GpuMemoryProbe {
  let last: number | undefined;
  let stopped = false;
  const poll = async () => {
    try {
      last = parseNvidiaSmi(await run('nvidia-smi', ['--query-gpu=index,memory.used', '--format=csv,noheader,nounits'])).get(device);
    } catch {
      last = undefined;
      stopped = true;
      clearInterval(timer);
    }
  };
  const timer = setInterval(() => void poll(), intervalMs);
  timer.unref();
  void poll();
  return {
    bytes: () => (stopped ? undefined : last),
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
