// Native code (ONNX Runtime, sharp) can take the whole process down. Whoever hosts the engine may need to say what
// is running first: a worker sends the node:started messages it holds back for one IPC write per tick, so that the
// host's crash report still names the node (server/worker/process-main.ts).
let hook: (() => void) | undefined;

/** Called before each native call; one hook per process (undefined removes it). */
export function onNativeCall(fn: (() => void) | undefined): void {
  hook = fn;
}

export function beforeNativeCall(): void {
  hook?.();
}
