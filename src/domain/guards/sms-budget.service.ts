import { and, eq, gte, inArray, lt, sql } from "drizzle-orm";
import { deliveries } from "../../../db/schema.ts";
import type { Database, Queryable } from "../../db/database.ts";
import { getOpsSettings, type OpsSettingsSource } from "../ops-settings/ops-settings.service.ts";
import {
  budgetPeriods,
  COMMITTED_SMS_STATUSES,
  exceedsSmsBudget,
  type SmsSpend,
} from "./sms-budget.rules.ts";

/** How long the guard's view of today's committed spend is used before it is summed again. */
export const TODAY_SPEND_REFRESH_MS = 2_000;
/** How long the guard's view of the month before today is used: those rows rarely change any more. */
export const EARLIER_SPEND_REFRESH_MS = 300_000;

/**
 * Committed SMS spend created in `[from, to)`, in total and from `split` on: one range scan of the channel +
 * created_at index.
 */
async function committedSpend(
  q: Queryable,
  from: number,
  split: number,
  to = Number.MAX_SAFE_INTEGER,
): Promise<{ total: number; fromSplit: number }> {
  const [row] = await q
    .select({
      total: sql<number>`coalesce(sum(${deliveries.costUsd}), 0)`,
      fromSplit: sql<number>`coalesce(sum(CASE WHEN ${deliveries.createdAt} >= ${split} THEN ${deliveries.costUsd} END), 0)`,
    })
    .from(deliveries)
    .where(
      and(
        eq(deliveries.channel, "sms"),
        gte(deliveries.createdAt, from),
        lt(deliveries.createdAt, to),
        inArray(deliveries.status, [...COMMITTED_SMS_STATUSES]),
      ),
    );
  return { total: Number(row?.total ?? 0), fromSplit: Number(row?.fromSplit ?? 0) };
}

/**
 * Committed SMS spend this UTC day and month with the limits in force, summed now on `q` (default: the
 * reader). Exact, and it reads every SMS row of the month (about 1 µs each): for the alert rules (80 % / 100 %)
 * and the SMS cost report, not for every notification (the guard uses {@link checkSmsBudget}).
 */
export async function smsSpend(
  source: OpsSettingsSource,
  now: number,
  q: Queryable = source.db.read,
): Promise<SmsSpend> {
  const { dayStart, monthStart } = budgetPeriods(now);
  const [spend, settings] = await Promise.all([
    committedSpend(q, monthStart, dayStart),
    getOpsSettings(source),
  ]);
  return {
    dayUsd: spend.fromSplit,
    monthUsd: spend.total,
    dailyLimitUsd: settings.smsBudget.dailyUsd,
    monthlyLimitUsd: settings.smsBudget.monthlyUsd,
  };
}

/**
 * This process's running view of committed spend: the month before today and today, each re-summed after its
 * refresh time, plus the SMS this process let through since today's last sum (reserved, so a burst of creates
 * sees its own spend before the rows are committed and re-read).
 */
interface SpendView {
  dayStart: number;
  earlierUsd: number;
  earlierAt: number;
  todayUsd: number;
  todayAt: number;
  reservedUsd: number;
}
const views = new WeakMap<Database, SpendView>();

/**
 * SMS spend let through inside one unit of group-committed work (creates made in a transaction, such as an
 * event's). The work may run again after SQLITE_BUSY or a failed neighbour in its batch, so its reservations are
 * kept here, fresh on each run, and added to the process's view only once the work committed
 * ({@link reserveSmsSpend}).
 */
export interface PendingSmsSpend {
  usd: number;
}

/** Adds committed work's SMS spend to this process's view (until the next re-sum reads the rows themselves). */
export function reserveSmsSpend(db: Database, now: number, usd: number): void {
  const view = views.get(db);
  if (usd > 0 && view && view.dayStart === budgetPeriods(now).dayStart) view.reservedUsd += usd;
}

/**
 * The budget guard for one SMS costing `estimateUsd`: true when it would take today's or this month's committed
 * spend over the limit. An SMS that goes ahead (within budget, or `exempt` as URGENT ones are) is reserved
 * against the budget at once: in the process's view, or in `pending` for work inside a transaction.
 * `monotonicNow` (`performance.now()`) only ages the cached sums.
 *
 * Accuracy: spend made by other processes sharing the database is seen within {@link TODAY_SPEND_REFRESH_MS};
 * in this process a re-sum that runs while a group commit is in flight can miss that batch's SMS until the next
 * re-sum. So the limit can be overshot by about one batch (see channel-guards.service.ts for the bound).
 */
export async function checkSmsBudget(
  source: OpsSettingsSource,
  now: number,
  estimateUsd: number,
  exempt: boolean,
  { monotonicNow = performance.now(), pending }: { monotonicNow?: number; pending?: PendingSmsSpend } = {},
): Promise<boolean> {
  const { dayStart, monthStart } = budgetPeriods(now);
  let view = views.get(source.db);
  if (!view || view.dayStart !== dayStart) {
    view = { dayStart, earlierUsd: 0, earlierAt: -Infinity, todayUsd: 0, todayAt: -Infinity, reservedUsd: 0 };
    views.set(source.db, view);
  }
  if (monotonicNow - view.earlierAt >= EARLIER_SPEND_REFRESH_MS) {
    view.earlierUsd = (await committedSpend(source.db.read, monthStart, dayStart, dayStart)).total;
    view.earlierAt = monotonicNow;
  }
  if (monotonicNow - view.todayAt >= TODAY_SPEND_REFRESH_MS) {
    view.todayUsd = (await committedSpend(source.db.read, dayStart, dayStart)).total;
    view.todayAt = monotonicNow;
    view.reservedUsd = 0;
  }
  const settings = await getOpsSettings(source);
  const today = view.todayUsd + view.reservedUsd + (pending?.usd ?? 0);
  const over = exceedsSmsBudget(
    {
      dayUsd: today,
      monthUsd: view.earlierUsd + today,
      dailyLimitUsd: settings.smsBudget.dailyUsd,
      monthlyLimitUsd: settings.smsBudget.monthlyUsd,
    },
    estimateUsd,
  );
  if (!over || exempt) {
    if (pending) pending.usd += estimateUsd;
    else view.reservedUsd += estimateUsd;
  }
  return over && !exempt;
}
