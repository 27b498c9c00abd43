import { sql } from "drizzle-orm";
import type { Deps } from "../../deps.ts";
import { smsSpend } from "../guards/sms-budget.service.ts";
import { BUCKET_MS, type SeriesRange, seriesPoints } from "./report-series.rules.ts";
import { DAY_MS, usd } from "./report-window.rules.ts";
import { type SmsCostTotals, smsCostsFrom, smsCostTotals } from "./sms-costs.rules.ts";

/** Sent SMS and their cost in one bucket of a series. */
export interface SmsCostPoint {
  start: number;
  count: number;
  usd: number;
}

/** `sms-costs`: sent SMS per UTC day with cost, the week, the month and its projection, and the budget. */
export interface SmsCostsReport extends SmsCostTotals {
  report: "sms-costs";
  generatedAt: number;
  /** The SMS budget guard's view: committed spend (queued SMS included) against the limits in force. */
  budget: { todayUsd: number; dailyLimitUsd: number; monthUsd: number; monthlyLimitUsd: number };
  /** Per bucket, when a series was asked for (the console's charts). */
  series?: SmsCostPoint[];
}

/**
 * Sums the cost of SMS the provider accepted, per UTC day of acceptance, since the report's first day; with
 * `series`, also per bucket of its range.
 */
export async function smsCostsReport(
  deps: Pick<Deps, "db" | "config" | "caches">,
  now: number,
  series?: SeriesRange,
): Promise<SmsCostsReport> {
  const [rows, spend, points] = await Promise.all([
    sentPerBucket(deps, smsCostsFrom(now), now, DAY_MS),
    smsSpend(deps, now),
    series ? smsCostSeries(deps, series) : undefined,
  ]);
  const totals = smsCostTotals(
    rows.map((r) => ({ dayStart: r.bucket, count: r.count, usd: r.usd })),
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
    ...(points && { series: points }),
  };
}

/** Sent SMS and their cost per bucket of `range`. */
async function smsCostSeries(deps: Pick<Deps, "db">, range: SeriesRange): Promise<SmsCostPoint[]> {
  const rows = await sentPerBucket(deps, range.from, range.to, BUCKET_MS[range.bucket]);
  return seriesPoints(range, rows, (start, [row]) => ({
    start,
    count: row?.count ?? 0,
    usd: usd(row?.usd ?? 0),
  }));
}

/** SMS the provider accepted in [from, to] and their cost, per bucket of `bucketMs` of `sent_at`. */
async function sentPerBucket(deps: Pick<Deps, "db">, from: number, to: number, bucketMs: number) {
  // Inlined, not bound: a bound JS number is a REAL to SQLite, and the division must be an integer one.
  const size = sql.raw(String(bucketMs));
  const rows = await deps.db.read.all<{ bucket: number; count: number; usd: number }>(sql`
    SELECT (sent_at / ${size}) * ${size} AS bucket, count(*) AS count, coalesce(sum(cost_usd), 0) AS usd
    FROM deliveries
    WHERE channel = 'sms' AND sent_at >= ${from} AND sent_at <= ${to}
    GROUP BY bucket`);
  return rows.map((r) => ({ bucket: Number(r.bucket), count: Number(r.count), usd: Number(r.usd) }));
}
