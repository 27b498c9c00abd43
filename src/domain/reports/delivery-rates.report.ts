import { sql } from "drizzle-orm";
import type { Channel } from "../../channels/types.ts";
import { CHANNELS } from "../../channels/types.ts";
import type { Deps } from "../../deps.ts";
import {
  type DeliveryRatePoint,
  type DeliveryRateRow,
  deliveryRateFigures,
  deliveryRateRow,
  type StatusCounts,
} from "./delivery-rates.rules.ts";
import { BUCKET_MS, type SeriesRange, seriesPoints } from "./report-series.rules.ts";
import { DAY_MS } from "./report-window.rules.ts";

/** `delivery-rates`: per channel, the last 24 h and the last 7 days against the targets. */
export interface DeliveryRatesReport {
  report: "delivery-rates";
  generatedAt: number;
  rows: DeliveryRateRow[];
  /** Per bucket, when a series was asked for (the console's charts). */
  series?: DeliveryRatePoint[];
}

interface StatusRow {
  channel: Channel;
  status: string;
}

/** The status counts of one channel among `rows`, reading `column`. */
const countsOf = <R extends StatusRow>(
  rows: R[],
  channel: Channel,
  column: (row: R) => number,
): StatusCounts =>
  Object.fromEntries(rows.filter((r) => r.channel === channel).map((r) => [r.status, column(r)]));

/**
 * Counts deliveries created in the last 7 days by channel and status, with the last 24 h as a conditional sum,
 * in one pass over the (channel, created_at) index. With `series`, also counts them per bucket of its range.
 */
export async function deliveryRatesReport(
  deps: Pick<Deps, "db">,
  now: number,
  series?: SeriesRange,
): Promise<DeliveryRatesReport> {
  const day = now - DAY_MS;
  const week = now - 7 * DAY_MS;
  const [rows, points] = await Promise.all([
    deps.db.read.all<StatusRow & { day: number; week: number }>(sql`
      SELECT channel, status, sum(created_at >= ${day}) AS day, count(*) AS week
      FROM deliveries
      WHERE channel IN ('email', 'sms') AND created_at >= ${week} AND created_at <= ${now}
      GROUP BY channel, status`),
    series ? deliveryRateSeries(deps, series) : undefined,
  ]);
  return {
    report: "delivery-rates",
    generatedAt: now,
    rows: CHANNELS.flatMap((channel) => [
      deliveryRateRow(
        channel,
        "24h",
        day,
        countsOf(rows, channel, (r) => Number(r.day)),
      ),
      deliveryRateRow(
        channel,
        "7d",
        week,
        countsOf(rows, channel, (r) => Number(r.week)),
      ),
    ]),
    ...(points && { series: points }),
  };
}

/** Status counts per bucket and channel over `range`, from the same (channel, created_at) index range. */
async function deliveryRateSeries(deps: Pick<Deps, "db">, range: SeriesRange): Promise<DeliveryRatePoint[]> {
  // Inlined, not bound: a bound JS number is a REAL to SQLite, and the division must be an integer one.
  const size = sql.raw(String(BUCKET_MS[range.bucket]));
  const rows = await deps.db.read.all<StatusRow & { bucket: number; count: number }>(sql`
    SELECT (created_at / ${size}) * ${size} AS bucket, channel, status, count(*) AS count
    FROM deliveries
    WHERE channel IN ('email', 'sms') AND created_at >= ${range.from} AND created_at <= ${range.to}
    GROUP BY bucket, channel, status`);
  return seriesPoints(
    range,
    rows.map((r) => ({ ...r, bucket: Number(r.bucket), count: Number(r.count) })),
    (start, inBucket) => ({
      start,
      email: deliveryRateFigures(
        "email",
        countsOf(inBucket, "email", (r) => r.count),
      ),
      sms: deliveryRateFigures(
        "sms",
        countsOf(inBucket, "sms", (r) => r.count),
      ),
    }),
  );
}
