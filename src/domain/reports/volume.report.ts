import { sql } from "drizzle-orm";
import { OPERATOR_RECIPIENT_ID } from "../../alerts/operator-recipient.ts";
import type { Deps } from "../../deps.ts";
import { BUCKET_MS, type SeriesRange, seriesPoints } from "./report-series.rules.ts";
import type { ReportWindow } from "./report-window.rules.ts";
import { type VolumeTotals, volumeTotals } from "./volume.rules.ts";

/** Product notifications created in one bucket of a series. */
export interface VolumePoint {
  start: number;
  count: number;
}

/** `volume`: product notifications created in the window by category and priority, with the URGENT share. */
export interface VolumeReport extends VolumeTotals, ReportWindow {
  report: "volume";
  generatedAt: number;
  /** Per bucket, when a series was asked for (the console's charts). */
  series?: VolumePoint[];
}

/**
 * Counts the window's product notifications (index on created_at) by category and priority; Herald's own alert
 * emails to the operator are not product traffic and are left out. With `series`, also counts them per bucket.
 */
export async function volumeReport(
  deps: Pick<Deps, "db">,
  window: ReportWindow,
  series?: SeriesRange,
): Promise<VolumeReport> {
  const [rows, points] = await Promise.all([
    deps.db.read.all<{
      category: string;
      priority: "URGENT" | "HIGH" | "MEDIUM" | "LOW";
      count: number;
    }>(sql`
    SELECT category, priority, count(*) AS count
    FROM notifications
    WHERE created_at >= ${window.from} AND created_at <= ${window.to} AND recipient_id != ${OPERATOR_RECIPIENT_ID}
    GROUP BY category, priority`),
    series ? volumeSeries(deps, series) : undefined,
  ]);
  return {
    report: "volume",
    generatedAt: window.to,
    ...window,
    ...volumeTotals(rows.map((r) => ({ ...r, count: Number(r.count) }))),
    ...(points && { series: points }),
  };
}

/** Product notifications per bucket of `range`, from the created_at index range. */
async function volumeSeries(deps: Pick<Deps, "db">, range: SeriesRange): Promise<VolumePoint[]> {
  // Inlined, not bound: a bound JS number is a REAL to SQLite, and the division must be an integer one.
  const size = sql.raw(String(BUCKET_MS[range.bucket]));
  const rows = await deps.db.read.all<{ bucket: number; count: number }>(sql`
    SELECT (created_at / ${size}) * ${size} AS bucket, count(*) AS count
    FROM notifications
    WHERE created_at >= ${range.from} AND created_at <= ${range.to} AND recipient_id != ${OPERATOR_RECIPIENT_ID}
    GROUP BY bucket`);
  return seriesPoints(
    range,
    rows.map((r) => ({ bucket: Number(r.bucket), count: Number(r.count) })),
    (start, [row]) => ({ start, count: row?.count ?? 0 }),
  );
}
