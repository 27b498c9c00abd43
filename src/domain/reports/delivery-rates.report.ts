import { sql } from "drizzle-orm";
import type { Channel } from "../../channels/types.ts";
import { CHANNELS } from "../../channels/types.ts";
import type { Deps } from "../../deps.ts";
import { type DeliveryRateRow, deliveryRateRow, type StatusCounts } from "./delivery-rates.rules.ts";
import { DAY_MS } from "./report-window.rules.ts";

/** `delivery-rates`: per channel, the last 24 h and the last 7 days against the targets. */
export interface DeliveryRatesReport {
  report: "delivery-rates";
  generatedAt: number;
  rows: DeliveryRateRow[];
}

/**
 * Counts deliveries created in the last 7 days by channel and status, with the last 24 h as a conditional sum,
 * in one pass over the (channel, created_at) index.
 */
export async function deliveryRatesReport(deps: Pick<Deps, "db">, now: number): Promise<DeliveryRatesReport> {
  const day = now - DAY_MS;
  const week = now - 7 * DAY_MS;
  const rows = await deps.db.read.all<{ channel: Channel; status: string; day: number; week: number }>(sql`
    SELECT channel, status, sum(created_at >= ${day}) AS day, count(*) AS week
    FROM deliveries
    WHERE channel IN ('email', 'sms') AND created_at >= ${week} AND created_at <= ${now}
    GROUP BY channel, status`);
  const counts = (channel: Channel, column: "day" | "week"): StatusCounts =>
    Object.fromEntries(rows.filter((r) => r.channel === channel).map((r) => [r.status, Number(r[column])]));
  return {
    report: "delivery-rates",
    generatedAt: now,
    rows: CHANNELS.flatMap((channel) => [
      deliveryRateRow(channel, "24h", day, counts(channel, "day")),
      deliveryRateRow(channel, "7d", week, counts(channel, "week")),
    ]),
  };
}
