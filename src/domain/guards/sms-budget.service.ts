import { and, gte, lt, sql } from "drizzle-orm";
import { smsSpendDays } from "../../../db/schema.ts";
import { prepared } from "../../db/prepared.ts";
import type { Queryable } from "../../db/queryable.ts";
import { getOpsSettings, type OpsSettingsSource } from "../ops-settings/ops-settings.service.ts";
import { budgetPeriods, exceedsSmsBudget, type SmsSpend } from "./sms-budget.rules.ts";

const DAY_MS = 86_400_000;

/**
 * Committed SMS spend this UTC month and today, from `sms_spend_days` (kept exact by triggers on `deliveries`
 * in the transaction that changes a delivery): at most 31 rows, whatever the SMS volume. Read inside a write
 * transaction it also counts that transaction's own earlier creates.
 */
async function committedSpend(q: Queryable, now: number): Promise<{ monthUsd: number; dayUsd: number }> {
  const { dayStart, monthStart } = budgetPeriods(now);
  const row = await spendSince(q).get({ monthDay: monthStart / DAY_MS, today: dayStart / DAY_MS });
  return { monthUsd: Number(row?.month ?? 0), dayUsd: Number(row?.today ?? 0) };
}

const spendSince = prepared((q) =>
  q
    .select({
      month: sql<number>`coalesce(sum(${smsSpendDays.usd}), 0)`,
      today: sql<number>`coalesce(sum(CASE WHEN ${smsSpendDays.day} >= ${sql.placeholder("today")} THEN ${smsSpendDays.usd} END), 0)`,
    })
    .from(smsSpendDays)
    .where(
      and(
        gte(smsSpendDays.day, sql.placeholder("monthDay")),
        lt(smsSpendDays.day, sql`${sql.placeholder("today")} + 1`),
      ),
    )
    .prepare(),
);

/**
 * Committed SMS spend this UTC day and month with the limits in force, read on `q` (default: the reader): for
 * the guard, the alert rules (80 % / 100 %), `herald status` and the SMS cost report.
 */
export async function smsSpend(
  source: OpsSettingsSource,
  now: number,
  q: Queryable = source.db.read,
): Promise<SmsSpend> {
  const [spend, settings] = await Promise.all([committedSpend(q, now), getOpsSettings(source)]);
  return {
    dayUsd: spend.dayUsd,
    monthUsd: spend.monthUsd,
    dailyLimitUsd: settings.smsBudget.dailyUsd,
    monthlyLimitUsd: settings.smsBudget.monthlyUsd,
  };
}

/**
 * The budget guard for one SMS costing `estimateUsd`: true when it would take today's or this month's committed
 * spend over the limit (URGENT SMS never ask: `smsBudgetApplies`). Run inside the write transaction that
 * will store the notification (`tx`): it sees every committed SMS, of every process sharing the database, and
 * the SMS of earlier creates in its own batch, so the limit holds exactly.
 */
export async function checkSmsBudget(
  source: OpsSettingsSource,
  tx: Queryable,
  now: number,
  estimateUsd: number,
): Promise<boolean> {
  const spend = await smsSpend(source, now, tx);
  return exceedsSmsBudget(spend, estimateUsd);
}
