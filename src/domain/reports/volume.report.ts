import { sql } from "drizzle-orm";
import { OPERATOR_RECIPIENT_ID } from "../../alerts/operator-recipient.ts";
import type { Deps } from "../../deps.ts";
import type { ReportWindow } from "./report-window.rules.ts";
import { type VolumeTotals, volumeTotals } from "./volume.rules.ts";

/** `volume`: product notifications created in the window by category and priority, with the URGENT share. */
export interface VolumeReport extends VolumeTotals, ReportWindow {
  report: "volume";
  generatedAt: number;
}

/**
 * Counts the window's product notifications (index on created_at) by category and priority; Herald's own alert
 * emails to the operator are not product traffic and are left out.
 */
export async function volumeReport(deps: Pick<Deps, "db">, window: ReportWindow): Promise<VolumeReport> {
  const rows = await deps.db.read.all<{
    category: string;
    priority: "URGENT" | "HIGH" | "MEDIUM" | "LOW";
    count: number;
  }>(sql`
    SELECT category, priority, count(*) AS count
    FROM notifications
    WHERE created_at >= ${window.from} AND created_at <= ${window.to} AND recipient_id != ${OPERATOR_RECIPIENT_ID}
    GROUP BY category, priority`);
  return {
    report: "volume",
    generatedAt: window.to,
    ...window,
    ...volumeTotals(rows.map((r) => ({ ...r, count: Number(r.count) }))),
  };
}
