/**
 * Retention: deletes rows that have outlived their use, in small batches (one short transaction each) so the
 * writer keeps serving requests in between. `previewRetention` counts with the very predicates a run deletes
 * with, so the report and the run agree.
 */
import { and, eq, inArray, isNotNull, lt, type SQL, sql } from "drizzle-orm";
import { deliveries, deliveryAttempts, notifications, schedulerRuns } from "../../../db/schema.ts";
import type { Queryable } from "../../db/database.ts";
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
};

/** Tables deleted purely by age, with their time column (fixed names, never input). */
const agedTables = {
  "idempotency-keys": { table: "idempotency_keys", column: "created_at" },
  "outbox-messages": { table: "outbox_messages", column: "created_at" },
  "scheduler-runs": { table: "scheduler_runs", column: "started_at" },
  "sns-messages": { table: "sns_messages", column: "received_at" },
} as const;

/** Deliveries the run removes: finished without failure and created before the cut-off. */
function removableDeliveries(cutoff: number): SQL {
  // The channel condition lets SQLite range-scan deliveries_channel_created_idx instead of the whole table.
  // biome-ignore lint/style/noNonNullAssertion: and() of conditions is defined
  return and(
    inArray(deliveries.channel, ["email", "sms"]),
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
        (["email", "sms"] as const).map((ch) =>
          one(sql`SELECT min(created_at) AS v FROM deliveries WHERE channel = ${ch}`),
        ),
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

/**
 * Deletes everything the policy allows at `now`, `policy.batchSize` rows per transaction, category by
 * category until a batch comes back short. Safe to re-run or run concurrently: each batch re-selects its rows
 * inside its own transaction.
 */
export async function runRetention(deps: Pick<Deps, "db" | "config">, now: number): Promise<RetentionResult> {
  const policy = retentionPolicy(deps.config);
  const cutoffs = retentionCutoffs(policy, now);
  const n = policy.batchSize;
  const result: RetentionResult = {
    "delivery-attempts": 0,
    deliveries: 0,
    "read-notifications": 0,
    "idempotency-keys": 0,
    "outbox-messages": 0,
    "scheduler-runs": 0,
    "sns-messages": 0,
    batches: 0,
  };

  // Deliveries with their attempt log: the attempts go first, explicitly, so they are counted.
  for (;;) {
    const removed = await deps.db.write(async (tx) => {
      const rows = await tx
        .select({ id: deliveries.id })
        .from(deliveries)
        .where(removableDeliveries(cutoffs.deliveries))
        .limit(n);
      if (rows.length === 0) return { deliveries: 0, attempts: 0 };
      const ids = rows.map((r) => r.id);
      const attempts = await tx.delete(deliveryAttempts).where(inArray(deliveryAttempts.deliveryId, ids));
      const deleted = await tx.delete(deliveries).where(inArray(deliveries.id, ids));
      return { deliveries: deleted.rowsAffected, attempts: attempts.rowsAffected };
    });
    result.batches++;
    result.deliveries += removed.deliveries;
    result["delivery-attempts"] += removed.attempts;
    if (removed.deliveries < n) break;
  }

  // Read notifications: their remaining deliveries (all finished without failure) go by ON DELETE CASCADE.
  // Unread counts are untouched: only read notifications are removed.
  for (;;) {
    const removed = await deps.db.write(async (tx) => {
      const rows = await tx
        .select({ id: notifications.id })
        .from(notifications)
        .where(removableNotifications(cutoffs["read-notifications"]))
        .limit(n);
      if (rows.length === 0) return 0;
      const deleted = await tx.delete(notifications).where(
        inArray(
          notifications.id,
          rows.map((r) => r.id),
        ),
      );
      return deleted.rowsAffected;
    });
    result.batches++;
    result["read-notifications"] += removed;
    if (removed < n) break;
  }

  for (const category of ["idempotency-keys", "outbox-messages", "scheduler-runs", "sns-messages"] as const) {
    const { table, column } = agedTables[category];
    for (;;) {
      const removed = await deps.db.write(async (tx) => {
        const deleted = await tx.run(
          sql`DELETE FROM ${sql.raw(table)} WHERE rowid IN (SELECT rowid FROM ${sql.raw(table)} WHERE ${sql.raw(column)} < ${cutoffs[category]} LIMIT ${n})`,
        );
        return deleted.rowsAffected;
      });
      result.batches++;
      result[category] += removed;
      if (removed < n) break;
    }
  }
  return result;
}
