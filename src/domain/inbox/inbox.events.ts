/** An unread-count change for one recipient; `version` grows with every change to their inbox. */
export interface InboxChange {
  recipientId: string;
  unread: number;
  version: number;
}

/**
 * In-process publish/subscribe for inbox changes, feeding `GET /v1/me/stream`. Publishers call `publish`
 * after their transaction committed, so subscribers never see a count that was rolled back.
 */
export interface InboxEvents {
  publish(change: InboxChange): void;
  /** Calls `listener` with each change for `recipientId`; returns the unsubscribe function. */
  subscribe(recipientId: string, listener: (change: InboxChange) => void): () => void;
  /** Number of open subscriptions (for metrics and tests). */
  size(): number;
  /** The recipients with at least one open subscription. */
  recipients(): string[];
}

/** The in-memory implementation: one listener set per recipient. */
export function createInboxEvents(): InboxEvents {
  const listeners = new Map<string, Set<(change: InboxChange) => void>>();
  let count = 0;
  return {
    publish(change) {
      for (const listener of listeners.get(change.recipientId) ?? []) listener(change);
    },
    subscribe(recipientId, listener) {
      const set = listeners.get(recipientId) ?? new Set();
      listeners.set(recipientId, set);
      set.add(listener);
      count++;
      return () => {
        if (!set.delete(listener)) return; // already unsubscribed: calling twice is harmless
        count--;
        // Only drop the set if it is still the registered one; a later subscriber may have replaced it.
        if (set.size === 0 && listeners.get(recipientId) === set) listeners.delete(recipientId);
      };
    },
    size: () => count,
    recipients: () => [...listeners.keys()],
  };
}
