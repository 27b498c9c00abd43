import { sql } from "drizzle-orm";
import type { Channel } from "../../channels/types.ts";
import { CHANNELS } from "../../channels/types.ts";
import type { Deps } from "../../deps.ts";
import { loopWindowStart } from "../guards/loop-guard.rules.ts";
import { readOpsSettings } from "../ops-settings/ops-settings.service.ts";
import type { ReportWindow } from "./report-window.rules.ts";

/** Notifications of one template about one subject (or without one) to one recipient in the loop window. */
export interface LoopCandidate {
  recipientId: string;
  template: string;
  subjectType: string | null;
  subjectId: string | null;
  count: number;
  lastAt: number;
  /** Their deliveries the loop guard skipped (reason `loop`). */
  skipped: number;
  /** More than the guard's limit: the guard is (or was) holding these back. */
  overLimit: boolean;
}

/** `loops`: the busiest recipient × template × subject groups now, and what the loop guard skipped. */
export interface LoopsReport extends ReportWindow {
  report: "loops";
  generatedAt: number;
  /** The guard's settings in force (`herald settings` / PUT /v1/settings). */
  loopGuard: { max: number; windowMinutes: number };
  /** Groups with more than one notification in the loop window (ending now), busiest first. */
  candidates: LoopCandidate[];
  /** Deliveries skipped with reason `loop` in the report window, per channel. */
  skipped: { channel: Channel; count: number }[];
}

/**
 * Groups the loop window's notifications the way the loop guard counts them (recipient, template, subject), and
 * counts the guard's skips over the report window (default 24 h, as loops are usually noticed the day after).
 */
export async function loopsReport(
  deps: Pick<Deps, "db" | "config">,
  window: ReportWindow,
  limit: number,
): Promise<LoopsReport> {
  const { loopGuard } = await readOpsSettings(deps.db.read, deps.config);
  const since = loopWindowStart(window.to, loopGuard);
  const [groups, skipped] = await Promise.all([
    deps.db.read.all<Omit<LoopCandidate, "overLimit">>(sql`
      SELECT n.recipient_id AS recipientId, n.template AS template, n.subject_type AS subjectType,
             n.subject_id AS subjectId, count(DISTINCT n.id) AS count, max(n.created_at) AS lastAt,
             count(d.id) AS skipped
      FROM notifications n LEFT JOIN deliveries d ON d.notification_id = n.id AND d.reason = 'loop'
      WHERE n.created_at > ${since} AND n.created_at <= ${window.to}
      GROUP BY n.recipient_id, n.template, n.subject_type, n.subject_id
      HAVING count(DISTINCT n.id) > 1
      ORDER BY count DESC, lastAt DESC
      LIMIT ${limit}`),
    deps.db.read.all<{ channel: Channel; count: number }>(sql`
      SELECT channel, count(*) AS count FROM deliveries
      WHERE reason = 'loop' AND channel IN ('email', 'sms') AND created_at >= ${window.from} AND created_at <= ${window.to}
      GROUP BY channel`),
  ]);
  return {
    report: "loops",
    generatedAt: window.to,
    ...window,
    loopGuard,
    candidates: groups.map((g) => {
      const count = Number(g.count);
      return {
        ...g,
        count,
        lastAt: Number(g.lastAt),
        skipped: Number(g.skipped),
        overLimit: count > loopGuard.max,
      };
    }),
    skipped: CHANNELS.map((channel) => ({
      channel,
      count: Number(skipped.find((s) => s.channel === channel)?.count ?? 0),
    })),
  };
}
