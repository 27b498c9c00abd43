import { sql } from "drizzle-orm";
import type { Deps } from "../../deps.ts";
import { smsSpend } from "../guards/sms-budget.service.ts";
import { DAY_MS, usd } from "./report-window.rules.ts";
import { type SmsCostTotals, smsCostsFrom, smsCostTotals } from "./sms-costs.rules.ts";

/** `sms-costs`: sent SMS per UTC day with cost, the week, the month and its projection, and the budget. */
export interface SmsCostsReport extends SmsCostTotals {
  report: "sms-costs";
  generatedAt: number;
  /** The SMS budget guard's view: committed spend (queued SMS included) against the limits in force. */
  budget: { todayUsd: number; dailyLimitUsd: number; monthUsd: number; monthlyLimitUsd: number };
}

/** Sums the cost of SMS the provider accepted, per UTC day of acceptance, since the report's first day. */
export async function smsCostsReport(
  deps: Pick<Deps, "db" | "config" | "caches">,
  now: number,
): Promise<SmsCostsReport> {
  const from = smsCostsFrom(now);
  // Inlined, not bound: a bound JS number is a REAL to SQLite, and the division must be an integer one.
  const day = sql.raw(String(DAY_MS));
  const [rows, spend] = await Promise.all([
    deps.db.read.all<{ day: number; count: number; usd: number }>(sql`
      SELECT (sent_at / ${day}) * ${day} AS day, count(*) AS count, coalesce(sum(cost_usd), 0) AS usd
      FROM deliveries
      WHERE channel = 'sms' AND sent_at >= ${from} AND sent_at <= ${now}
      GROUP BY day`),
    smsSpend(deps, now),
  ]);
  const totals = smsCostTotals(
    rows.map((r) => ({ dayStart: Number(r.day), count: Number(r.count), usd: Number(r.usd) })),
    now,
  );
  return {
    report: "sms-costs",
    generatedAt: now,
    ...totals,
    budget: {
      todayUsd: usd(spend.dayUsd),
      dailyLimitUsd: spend.dailyLimitUsd,
      monthUsd: usd(spend.monthUsd),
      monthlyLimitUsd: spend.monthlyLimitUsd,
    },
  };
}
