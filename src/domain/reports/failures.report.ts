import { sql } from "drizzle-orm";
import type { Channel } from "../../channels/types.ts";
import { CHANNELS } from "../../channels/types.ts";
import type { Deps } from "../../deps.ts";
import { type FailureGroup, topFailures } from "./failures.rules.ts";
import { type ReportWindow, ratio } from "./report-window.rules.ts";

/** `failures`: the most frequent error codes and messages of unsuccessful provider attempts in the window. */
export interface FailuresReport extends ReportWindow {
  report: "failures";
  generatedAt: number;
  /** Attempts per channel in the window, and how many did not succeed. */
  channels: { channel: Channel; attempts: number; unsuccessful: number; unsuccessfulShare: number | null }[];
  top: FailureGroup[];
}

/**
 * Reads the attempt log (index on created_at): every attempt whose status is not `sent` (retry, failed, paused,
 * lease-expired, ambiguous) counts as unsuccessful.
 */
export async function failuresReport(
  deps: Pick<Deps, "db">,
  window: ReportWindow,
  limit: number,
): Promise<FailuresReport> {
  const range = sql`a.created_at >= ${window.from} AND a.created_at <= ${window.to}`;
  const [totals, groups] = await Promise.all([
    deps.db.read.all<{ channel: Channel; attempts: number; unsuccessful: number }>(sql`
      SELECT d.channel AS channel, count(*) AS attempts, sum(a.status <> 'sent') AS unsuccessful
      FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id
      WHERE ${range}
      GROUP BY d.channel`),
    deps.db.read.all<FailureGroup>(sql`
      SELECT d.channel AS channel, a.error_code AS errorCode, a.error_message AS errorMessage,
             count(*) AS count, max(a.created_at) AS lastAt
      FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id
      WHERE ${range} AND a.status <> 'sent'
      GROUP BY d.channel, a.error_code, a.error_message`),
  ]);
  return {
    report: "failures",
    generatedAt: window.to,
    ...window,
    channels: CHANNELS.map((channel) => {
      const t = totals.find((r) => r.channel === channel);
      const attempts = Number(t?.attempts ?? 0);
      const unsuccessful = Number(t?.unsuccessful ?? 0);
      return { channel, attempts, unsuccessful, unsuccessfulShare: ratio(unsuccessful, attempts) };
    }),
    top: topFailures(
      groups.map((g) => ({ ...g, count: Number(g.count), lastAt: Number(g.lastAt) })),
      limit,
    ),
  };
}
