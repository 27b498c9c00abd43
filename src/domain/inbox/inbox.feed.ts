/**
 * Unread counts changed by other processes, for the event streams open in this one. A write through this
 * process publishes its change at once (`inbox.events.ts`); a write by another process sharing the database (an
 * `api` process next to this one, a second server behind the load balancer, a `worker` sending an alert email to
 * the operator's inbox) is found here: once a second, while streams are open, the counters of the recipients
 * being watched are read (one primary-key lookup each, in chunks) and every newer version is published. A
 * stream therefore follows any process's write within about a second.
 */
import { inArray } from "drizzle-orm";
import { inboxCounters } from "../../../db/schema.ts";
import type { Deps } from "../../deps.ts";
import { realTimers, type Timers } from "../../timers.ts";

/** How often the counters of watched recipients are read. */
export const INBOX_FEED_MS = 1_000;
/** Recipients read per query (SQLite's bound-parameter limit is far above; this keeps each step short). */
const CHUNK = 500;

export interface InboxFeed {
  start(): void;
  stop(): void;
  /** Reads the watched recipients' counters once and publishes what changed; returns how many changed. */
  poll(): Promise<number>;
}

export function createInboxFeed(
  deps: Pick<Deps, "db" | "inboxEvents" | "logger">,
  { intervalMs = INBOX_FEED_MS, timers = realTimers }: { intervalMs?: number; timers?: Timers } = {},
): InboxFeed {
  /** The newest version published per watched recipient (this process's own publishes included). */
  const seen = new Map<string, number>();
  let handle: unknown = null;

  async function poll(): Promise<number> {
    const watched = deps.inboxEvents.recipients();
    const watching = new Set(watched);
    for (const id of seen.keys()) if (!watching.has(id)) seen.delete(id);
    let changed = 0;
    for (let i = 0; i < watched.length; i += CHUNK) {
      const rows = await deps.db.read
        .select()
        .from(inboxCounters)
        .where(inArray(inboxCounters.recipientId, watched.slice(i, i + CHUNK)));
      for (const row of rows) {
        if (row.version <= (seen.get(row.recipientId) ?? -1)) continue;
        seen.set(row.recipientId, row.version);
        deps.inboxEvents.publish({ recipientId: row.recipientId, unread: row.unread, version: row.version });
        changed++;
      }
    }
    return changed;
  }

  function schedule(): void {
    handle = timers.set(async () => {
      try {
        if (deps.inboxEvents.size() > 0) await poll();
      } catch (error) {
        deps.logger.warn("reading unread counters for event streams failed", {
          error: (error as Error).name,
          message: (error as Error).message,
        });
      }
      if (handle !== null) schedule();
    }, intervalMs);
    (handle as { unref?: () => void } | null)?.unref?.();
  }

  return {
    start() {
      if (handle === null) schedule();
    },
    stop() {
      if (handle === null) return;
      timers.clear(handle);
      handle = null;
    },
    poll,
  };
}
