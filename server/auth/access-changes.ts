// News of access changes (a share link revoked or replaced, a workflow made private or deleted, a password reset, a
// user deleted), so open sockets lose what their holders may no longer see at once: in this process, and in scaled
// mode on every other web server too (forwarded through the Socket.io Redis adapter, `forwardTo`).
export type AccessChange =
  /** Who may view this workflow (and its owner's runs) may have changed. */
  | { kind: 'workflow'; workflowId: string }
  /** This user's sessions or rights changed: their sockets are checked again, or dropped when signed out. */
  | { kind: 'user'; userId: string };

type Listener = (change: AccessChange) => Promise<void> | void;

export class AccessChanges {
  private readonly listeners = new Set<Listener>();
  private forward?: (change: AccessChange) => void;

  /** Scaled mode: every change published here is also sent to the other web servers, which `applyRemote` it. */
  forwardTo(forward: (change: AccessChange) => void): void {
    this.forward = forward;
  }

  /** A change another web server published: applied to this server's sockets, not forwarded again. */
  async applyRemote(change: AccessChange): Promise<void> {
    await Promise.allSettled([...this.listeners].map(async (l) => l(change)));
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Resolves once every listener here has applied the change, so the mutation that made it answers after this
   * server's sockets are out of their rooms. A failing listener is not the caller's failure (the change is saved).
   */
  async publish(change: AccessChange): Promise<void> {
    // Other servers apply it a moment later (fire-and-forget through Redis); this one before the mutation answers.
    this.forward?.(change);
    await this.applyRemote(change);
  }
}
