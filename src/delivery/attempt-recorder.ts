/**
 * Group commit for attempt results. Sends finish one by one; writing each result in its own transaction would
 * cost a handful of statements per delivery. The recorder collects the results that finish together and
 * writes them with set-based statements in one `db.write`, while the next group collects behind it.
 */
import type { Clock } from "../clock.ts";
import type { Database } from "../db/database.ts";
import { type AttemptRecord, recordAttempts } from "./delivery-queue.repo.ts";

interface Pending {
  record: AttemptRecord;
  resolve: (owned: boolean) => void;
  reject: (error: unknown) => void;
}

/** Records attempt results in groups. */
export interface AttemptRecorder {
  /** Queues a result; resolves once committed, with false if the delivery's lease had been lost. */
  record(record: AttemptRecord): Promise<boolean>;
}

/** A recorder writing to `db`. */
export function createAttemptRecorder(db: Database, clock: Clock): AttemptRecorder {
  let pending: Pending[] = [];
  let flushing = false;

  async function flush() {
    while (pending.length > 0) {
      const group = pending;
      pending = [];
      const now = clock.now();
      try {
        const owned = await db.write((tx) =>
          recordAttempts(
            tx,
            group.map((p) => p.record),
            now,
          ),
        );
        for (const p of group) p.resolve(owned.has(p.record.delivery.id));
      } catch (error) {
        for (const p of group) p.reject(error);
      }
    }
    flushing = false;
  }

  return {
    record(record) {
      return new Promise<boolean>((resolve, reject) => {
        pending.push({ record, resolve, reject });
        if (flushing) return;
        flushing = true;
        // After the current microtasks, so results resolved in the same turn share one transaction.
        setImmediate(flush);
      });
    },
  };
}
