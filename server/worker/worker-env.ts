// The environment a forked local worker gets: what Node, onnxruntime, sharp and the locale need, and no secrets.
// A worker runs arbitrary graphs with native code; it has no use for ADMIN_PASSWORD, WORKER_TOKEN or the database.

/** Variables passed through by exact name. */
const NAMES = new Set([
  'PATH', 'HOME', 'USER', 'LOGNAME', 'TMPDIR', 'TMP', 'TEMP', 'LANG', 'LANGUAGE', 'TZ', 'TERM', 'NO_COLOR', 'FORCE_COLOR',
  // Windows needs these to start any process.
  'SYSTEMROOT', 'SystemRoot', 'WINDIR', 'COMSPEC', 'PATHEXT',
  // StepFlow's own settings a worker reads (the rest travels in its config message).
  'MODELS_DIR', 'DATA_DIR', 'EXECUTION_PROVIDER', 'CACHE_BYTES', 'MODEL_BUDGET_BYTES', 'DEBUG_PAUSE_TIMEOUT', 'LOG_LEVEL',
  // Native libraries: CUDA's loader path and device choice, libuv's thread pool.
  'LD_LIBRARY_PATH', 'UV_THREADPOOL_SIZE',
]);

/** Families passed through by prefix: Node's own options, locale, thread counts of ORT/OpenMP/BLAS, CUDA, libvips, tsx. */
const PREFIXES = ['NODE_', 'LC_', 'ORT_', 'OMP_', 'MKL_', 'OPENBLAS_', 'CUDA_', 'NVIDIA_', 'VIPS_', 'TSX_'];

/** A secret never passes, even in an allowed family (NODE_AUTH_TOKEN is npm's registry token). */
const SECRET = /TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|API_?KEY|PRIVATE/i;

export function workerEnv(source: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined || SECRET.test(name)) continue;
    if (NAMES.has(name) || PREFIXES.some((p) => name.startsWith(p))) env[name] = value;
  }
  return env;
}

/**
 * glibc's malloc in a worker asks for transparent huge pages (`madvise`) for the memory it maps. A batch of runs
 * allocates tens of MB of fresh tensors, and first touching them 4 KB at a time dominated the batch's cost on a
 * virtualised host (10-50 µs a page fault): ~7,800 faults per 16-run batch with 4 KB pages, ~500 with huge pages
 * (`bench/throughput.ts`). Harmless where THP is off or the libc is not glibc. An operator's own tunables win.
 */
export function workerMallocTunables(source: Readonly<Record<string, string | undefined>>): string {
  return source.GLIBC_TUNABLES ?? 'glibc.malloc.hugetlb=1';
}
