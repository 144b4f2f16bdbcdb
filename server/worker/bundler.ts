// Worker → host messages leave a forked worker in bundles: in a batched sampling loop sixteen runs report each step
// at once, and one IPC write per message (a syscall on each side, a deserialisation on the host) cost the worker
// more than its scheduler math. Messages gathered during one turn of the event loop go out together, in order.

export class MessageBundler<M> {
  private pending: M[] = [];
  private scheduled = false;

  /**
   * `write` sends one or more messages as one; `urgent` messages go out at once with everything before them (a
   * node's start must reach the host before a crash in that node can, so the crash report names it).
   */
  constructor(
    private readonly write: (messages: M[]) => void,
    private readonly urgent: (message: M) => boolean,
  ) {}

  send(message: M): void {
    this.pending.push(message);
    if (this.urgent(message)) {
      this.flush();
      return;
    }
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }

  /** Sends what is waiting now (also before the process exits). */
  flush(): void {
    if (this.pending.length === 0) return;
    const messages = this.pending;
    this.pending = [];
    this.write(messages);
  }
}
