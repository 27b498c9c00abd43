import { sql } from "drizzle-orm";
import type { Deps } from "../../deps.ts";
import { type ReportWindow, usd } from "./report-window.rules.ts";

/** One recipient's SMS in the window: ids only, never phone numbers. */
export interface SmsRecipientRow {
  recipientId: string;
  count: number;
  usd: number;
}

/** `top-sms-recipients`: who received the most SMS (sent by the provider) in the window, and what it cost. */
export interface TopSmsRecipientsReport extends ReportWindow {
  report: "top-sms-recipients";
  generatedAt: number;
  recipients: SmsRecipientRow[];
}

/** Ranks recipients by SMS the provider accepted in the window, then by cost. */
export async function topSmsRecipientsReport(
  deps: Pick<Deps, "db">,
  window: ReportWindow,
  limit: number,
): Promise<TopSmsRecipientsReport> {
  const rows = await deps.db.read.all<SmsRecipientRow>(sql`
    SELECT recipient_id AS recipientId, count(*) AS count, coalesce(sum(cost_usd), 0) AS usd
    FROM deliveries
    WHERE channel = 'sms' AND sent_at >= ${window.from} AND sent_at <= ${window.to}
    GROUP BY recipient_id
    ORDER BY count DESC, usd DESC, recipient_id
    LIMIT ${limit}`);
  return {
    report: "top-sms-recipients",
    generatedAt: window.to,
    ...window,
    recipients: rows.map((r) => ({
      recipientId: r.recipientId,
      count: Number(r.count),
      usd: usd(Number(r.usd)),
    })),
  };
}
