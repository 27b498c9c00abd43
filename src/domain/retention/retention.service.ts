/**
 * Retention: deletes rows that have outlived their use, in small batches (one short transaction each) so the
 * writer keeps serving requests in between. `previewRetention` counts with the very predicates a run deletes
 * with, so the report and the run agree.
 */
import { and, eq, gte, inArray, isNotNull, lt, type SQL, sql } from "drizzle-orm";
import { deliveries, deliveryAttempts, notifications, schedulerRuns } from "../../../db/schema.ts";
import { CHANNELS } from "../../channels/types.ts";
import type { Queryable, Tx } from "../../db/queryable.ts";
import type { Deps } from "../../deps.ts";
import {
  nextWindowStart,
  type RetentionCategory,
  type RetentionCutoffs,
  type RetentionPolicy,
  removableDeliveryStatuses,
  retentionCategories,
  retentionCutoffs,
  retentionPolicy,
  retentionWindow,
} from "./retention.rules.ts";

/** The scheduler (and `scheduler_runs` key) retention runs under. */
export const RETENTION_SCHEDULER = "retention";

/** What each category means, for reports. */
const descriptions: Record<RetentionCategory, string> = {
  "delivery-attempts": "attempt log of deliveries that ended without failure",
  deliveries: "deliveries that ended without failure (sent, delivered, skipped, cancelled, digested)",
  "read-notifications": "read notifications, unless one of their deliveries failed or is pending",
  "idempotency-keys": "stored first responses for Idempotency-Key (replayable for 24 h only)",
  "outbox-messages": "messages captured by the outbox providers",
  "scheduler-runs": "scheduler run records",
  "sns-messages": "ids of applied SNS messages (replays are refused as stale after 1 h)",
  "alert-events": "changes of alert states (the admin console's alert history)",
};

/** Tables deleted purely by age, with their time column (fixed names, never input). */
const agedTables = {
  "idempotency-keys": { table: "idempotency_keys", column: "created_at" },
  "outbox-messages": { table: "outbox_messages", column: "created_at" },
  "scheduler-runs": { table: "scheduler_runs", column: "started_at" },
  "sns-messages": { table: "sns_messages", column: "received_at" },
  "alert-events": { table: "alert_events", column: "at" },
} as const;

/**
 * Deliveries the run removes: finished without failure and created before the cut-off; for one channel from
 * `from` on (a range of deliveries_channel_created_idx), or both channels for counting.
 */
function removableDeliveries(cutoff: number, channel?: "email" | "sms", from = 0): SQL {
  // The channel condition lets SQLite range-scan deliveries_channel_created_idx instead of the whole table.
  // biome-ignore lint/style/noNonNullAssertion: and() of conditions is defined
  return and(
    channel ? eq(deliveries.channel, channel) : inArray(deliveries.channel, [...CHANNELS]),
    gte(deliveries.createdAt, from),
    lt(deliveries.createdAt, cutoff),
    inArray(deliveries.status, [...removableDeliveryStatuses]),
  )!;
}

/** Read notifications created before the cut-off none of whose deliveries failed or still has work to do. */
function removableNotifications(cutoff: number): SQL {
  const kept = sql`SELECT 1 FROM deliveries d WHERE d.notification_id = ${notifications.id}
    AND d.status NOT IN (${sql.join(
      removableDeliveryStatuses.map((s) => sql`${s}`),
      sql`, `,
    )})`;
  // biome-ignore lint/style/noNonNullAssertion: and() of conditions is defined
  return and(
    isNotNull(notifications.readAt),
    lt(notifications.createdAt, cutoff),
    sql`NOT EXISTS (${kept})`,
  )!;
}

/** One category in a retention preview. */
export interface RetentionCategoryPreview {
  category: RetentionCategory;
  description: string;
  /** Rows older than this are eligible. */
  cutoff: number;
  /** The oldest row of this kind still stored, eligible or not (null when there are none). */
  oldestAt: number | null;
  /** How many rows a run at this instant would delete. */
  toRemove: number;
}

/** What `herald report retention` and `GET /v1/reports/retention` show. */
export interface RetentionPreview {
  at: number;
  policy: RetentionPolicy;
  /** The run window `at` falls in (`2026-W48`). */
  window: string;
  /** When the next run happens: `at` when this window has not run yet, else the next window's start. */
  nextRunAt: number;
  lastRun: {
    window: string;
    startedAt: number;
    finishedAt: number | null;
    result: Record<string, unknown> | null;
    error: string | null;
  } | null;
  categories: RetentionCategoryPreview[];
}

async function oldestAndCount(q: Queryable, category: RetentionCategory, cutoffs: RetentionCutoffs) {
  const cutoff = cutoffs[category];
  const one = async (statement: SQL) =>
    Number((await q.get<{ v: number | null }>(statement))?.v ?? 0) || null;
  switch (category) {
    case "delivery-attempts":
      return {
        oldestAt: await one(sql`SELECT min(created_at) AS v FROM delivery_attempts`),
        toRemove:
          (await one(
            sql`SELECT count(*) AS v FROM delivery_attempts WHERE delivery_id IN (SELECT id FROM deliveries WHERE ${removableDeliveries(cutoff)})`,
          )) ?? 0,
      };
    case "deliveries": {
      // Per channel so each min() is one index probe.
      const [email, sms] = await Promise.all(
        CHANNELS.map((ch) => one(sql`SELECT min(created_at) AS v FROM deliveries WHERE channel = ${ch}`)),
      );
      const oldest = [email, sms].filter((v): v is number => v !== null);
      return {
        oldestAt: oldest.length > 0 ? Math.min(...oldest) : null,
        toRemove:
          (await one(sql`SELECT count(*) AS v FROM deliveries WHERE ${removableDeliveries(cutoff)}`)) ?? 0,
      };
    }
    case "read-notifications":
      return {
        oldestAt: await one(sql`SELECT min(created_at) AS v FROM notifications WHERE read_at IS NOT NULL`),
        toRemove:
          (await one(sql`SELECT count(*) AS v FROM notifications WHERE ${removableNotifications(cutoff)}`)) ??
          0,
      };
    default: {
      const { table, column } = agedTables[category];
      const row = await q.get<{ oldest: number | null; n: number }>(
        sql`SELECT min(${sql.raw(column)}) AS oldest, count(*) FILTER (WHERE ${sql.raw(column)} < ${cutoff}) AS n FROM ${sql.raw(table)}`,
      );
      return { oldestAt: row?.oldest ?? null, toRemove: Number(row?.n ?? 0) };
    }
  }
}

/**
 * What the retention policy would delete at `now`, per category: the cut-off, the oldest stored row and the
 * count, plus the policy, the current window and the last run. Reads only.
 */
export async function previewRetention(
  deps: Pick<Deps, "db" | "config">,
  now: number,
): Promise<RetentionPreview> {
  const policy = retentionPolicy(deps.config);
  const cutoffs = retentionCutoffs(policy, now);
  const q = deps.db.read;
  const window = retentionWindow(policy.period, now);
  const [categories, [current], [last]] = await Promise.all([
    Promise.all(
      retentionCategories.map(async (category) => ({
        category,
        description: descriptions[category],
        cutoff: cutoffs[category],
        ...(await oldestAndCount(q, category, cutoffs)),
      })),
    ),
    q
      .select({ window: schedulerRuns.window })
      .from(schedulerRuns)
      .where(and(eq(schedulerRuns.scheduler, RETENTION_SCHEDULER), eq(schedulerRuns.window, window))),
    q
      .select()
      .from(schedulerRuns)
      .where(eq(schedulerRuns.scheduler, RETENTION_SCHEDULER))
      .orderBy(sql`${schedulerRuns.startedAt} DESC`)
      .limit(1),
  ]);
  return {
    at: now,
    policy,
    window,
    nextRunAt: current ? nextWindowStart(policy.period, now) : now,
    lastRun: last
      ? {
          window: last.window,
          startedAt: last.startedAt,
          finishedAt: last.finishedAt,
          result: last.result ?? null,
          error: last.error,
        }
      : null,
    categories,
  };
}

/** Rows one run deleted, per category. */
export type RetentionResult = Record<RetentionCategory, number> & { batches: number };

/** The longest a batch should hold the writer (and the thread): batches shrink until they take less. */
export const BATCH_BUDGET_MS = 8;
/** The fewest rows a batch deletes, however slow the disk (so a run always progresses). */
const MIN_BATCH = 10;

/** Lets the event loop serve what arrived while the previous batch ran. */
const yieldTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Batch sizes that adapt to the cost of a delete on this machine: start small, double after a batch that took
 * less than half of {@link BATCH_BUDGET_MS} (up to the configured size), halve after one that took longer. A
 * delivery delete touches ten indexes at random places, so its cost follows the page cache, not only the count.
 */
function batchSizer(configured: number) {
  let size = Math.min(configured, 64);
  return {
    get size() {
      return size;
    },
    /** Records how long a batch of the current size held the writer (its statements and its commit). */
    took(ms: number) {
      if (ms > BATCH_BUDGET_MS) size = Math.max(Math.min(MIN_BATCH, configured), Math.floor(size / 2));
      else if (ms < BATCH_BUDGET_MS / 2) size = Math.min(configured, size * 2);
    },
  };
}

/**
 * Deletes everything the policy allows at `now`, in short transactions (at most `policy.batchSize` rows, as many
 * as fit in {@link BATCH_BUDGET_MS}) with a turn of the event loop between them. Each
 * category is walked once in created_at order from where the previous batch stopped, so rows that are kept
 * (failed deliveries, unread notifications) are read once per run, not once per batch. Safe to re-run or run
 * concurrently: each batch re-selects its rows inside its own transaction.
 */
export async function runRetention(deps: Pick<Deps, "db" | "config">, now: number): Promise<RetentionResult> {
  const policy = retentionPolicy(deps.config);
  const cutoffs = retentionCutoffs(policy, now);
  const sizer = batchSizer(policy.batchSize);
  const result: RetentionResult = {
    "delivery-attempts": 0,
    deliveries: 0,
    "read-notifications": 0,
    "idempotency-keys": 0,
    "outbox-messages": 0,
    "scheduler-runs": 0,
    "sns-messages": 0,
    "alert-events": 0,
    batches: 0,
  };
  /**
   * Runs one batch and adds what it deleted to the result. `work` may run more than once (the writer re-runs a
   * unit after SQLITE_BUSY), so it only returns counts and where it stopped; they are applied once it committed.
   */
  async function batch<T extends { counts: Partial<RetentionResult>; done: boolean }>(
    work: (tx: Tx, n: number) => Promise<T>,
  ): Promise<T> {
    const n = sizer.size;
    let started = 0;
    const outcome = await deps.db.write((tx) => {
      started = performance.now();
      return work(tx, n);
    });
    // From the batch's first statement to its commit: what it held the writer (and this thread) for.
    sizer.took(performance.now() - started);
    result.batches++;
    for (const [key, value] of Object.entries(outcome.counts))
      result[key as keyof RetentionResult] += value ?? 0;
    await yieldTurn();
    return outcome;
  }

  // Deliveries with their attempt log, per channel along deliveries_channel_created_idx: the attempts go first,
  // explicitly, so they are counted.
  for (const channel of CHANNELS) {
    let from = 0;
    for (;;) {
      const { done, last } = await batch(async (tx, n) => {
        const rows = await tx
          .select({ id: deliveries.id, createdAt: deliveries.createdAt })
          .from(deliveries)
          .where(removableDeliveries(cutoffs.deliveries, channel, from))
          .orderBy(deliveries.createdAt)
          .limit(n);
        if (rows.length === 0) return { counts: {}, done: true, last: from };
        const ids = rows.map((r) => r.id);
        const attempts = await tx.delete(deliveryAttempts).where(inArray(deliveryAttempts.deliveryId, ids));
        const deleted = await tx.delete(deliveries).where(inArray(deliveries.id, ids));
        return {
          counts: { deliveries: deleted.rowsAffected, "delivery-attempts": attempts.rowsAffected },
          done: rows.length < n,
          last: rows.at(-1)?.createdAt ?? from,
        };
      });
      // The next batch starts at the last instant seen (`>=`: rows of that instant may remain), so the kept
      // rows before it are not read again.
      from = last;
      if (done) break;
    }
  }

  // Read notifications, along notifications_created_idx: their remaining deliveries (all finished without
  // failure) go by ON DELETE CASCADE. Unread counts are untouched: only read notifications are removed.
  let from = 0;
  for (;;) {
    const { done, last } = await batch(async (tx, n) => {
      const rows = await tx
        .select({ id: notifications.id, createdAt: notifications.createdAt })
        .from(notifications)
        .where(and(removableNotifications(cutoffs["read-notifications"]), gte(notifications.createdAt, from)))
        .orderBy(notifications.createdAt)
        .limit(n);
      if (rows.length === 0) return { counts: {}, done: true, last: from };
      const deleted = await tx.delete(notifications).where(
        inArray(
          notifications.id,
          rows.map((r) => r.id),
        ),
      );
      return {
        counts: { "read-notifications": deleted.rowsAffected },
        done: rows.length < n,
        last: rows.at(-1)?.createdAt ?? from,
      };
    });
    from = last;
    if (done) break;
  }

  for (const category of Object.keys(agedTables) as (keyof typeof agedTables)[]) {
    const { table, column } = agedTables[category];
    for (;;) {
      const { done } = await batch(async (tx, n) => {
        const deleted = await tx.run(
          sql`DELETE FROM ${sql.raw(table)} WHERE rowid IN (SELECT rowid FROM ${sql.raw(table)} WHERE ${sql.raw(column)} < ${cutoffs[category]} LIMIT ${n})`,
        );
        return { counts: { [category]: deleted.rowsAffected }, done: deleted.rowsAffected < n };
      });
      if (done) break;
    }
  }
  return result;
}
