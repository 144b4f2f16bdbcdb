// In-process news of access changes (a share link revoked or replaced, a workflow made private or deleted, a
// password reset, a user deleted), so open sockets lose what their holders may no longer see at once.
export type AccessChange =
  /** Who may view this workflow (and its owner's runs) may have changed. */
  | { kind: 'workflow'; workflowId: string }
  /** This user's sessions or rights changed: their sockets are checked again, or dropped when signed out. */
  | { kind: 'user'; userId: string };

type Listener = (change: AccessChange) => Promise<void> | void;

export class AccessChanges {
  private readonly listeners = new Set<Listener>();

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Resolves once every listener has applied the change, so the mutation that made it answers after the
   * sockets are out of their rooms. A failing listener is not the caller's failure (the change is saved).
   */
  async publish(change: AccessChange): Promise<void> {
    await Promise.allSettled([...this.listeners].map(async (l) => l(change)));
  }
}
