/**
 * How each report reads as tables on a terminal (`herald report <name>`): a few titled sections of rows. Pure;
 * the CLI pads or tab-separates them (src/cli/table.ts). JSON output is the report itself, not these.
 */
import { PRIORITIES } from "../priorities.ts";
import type { Report } from "./report-catalogue.ts";

/** One titled table. */
export interface ReportSection {
  title: string;
  header: string[];
  rows: string[][];
}

const pct = (share: number | null) => (share === null ? "-" : `${(share * 100).toFixed(2)} %`);
const money = (value: number) => `$${value.toFixed(4)}`;
const iso = (ms: number | null) => (ms === null ? "-" : new Date(ms).toISOString().replace(".000Z", "Z"));
const yesNo = (value: boolean | null) => (value === null ? "-" : value ? "yes" : "NO");

/** The sections `herald report` prints for `report`. */
export function reportSections(report: Report): ReportSection[] {
  switch (report.report) {
    case "delivery-rates":
      return [
        {
          title: "Delivery rates: (sent + delivered) / finished, against the targets (email 95 %, SMS 98 %)",
          header: [
            "CHANNEL",
            "PERIOD",
            "SENT",
            "DELIVERED",
            "FAILED",
            "BOUNCED",
            "COMPLAINED",
            "PENDING",
            "UNKNOWN",
            "RATE",
            "TARGET",
            "MEETS",
          ],
          rows: report.rows.map((r) => [
            r.channel,
            r.period,
            ...[r.sent, r.delivered, r.failed, r.bounced, r.complained, r.pending, r.unknown].map(String),
            pct(r.rate),
            pct(r.target),
            yesNo(r.meetsTarget),
          ]),
        },
      ];
    case "sms-costs":
      return [
        {
          title: "SMS sent per UTC day (last 30 days)",
          header: ["DATE", "COUNT", "USD"],
          rows: report.days.map((d) => [d.date, String(d.count), money(d.usd)]),
        },
        {
          title: "Totals",
          header: ["PERIOD", "COUNT", "USD", "LIMIT"],
          rows: [
            ["last 7 days", String(report.week.count), money(report.week.usd), ""],
            ["7 days before", String(report.previousWeek.count), money(report.previousWeek.usd), ""],
            ["change", "", weekChange(report.weekChange), ""],
            ["month to date", String(report.monthToDate.count), money(report.monthToDate.usd), ""],
            ["month projection", "", money(report.monthProjectionUsd), money(report.budget.monthlyLimitUsd)],
            [
              "budget today (committed)",
              "",
              money(report.budget.todayUsd),
              money(report.budget.dailyLimitUsd),
            ],
            [
              "budget month (committed)",
              "",
              money(report.budget.monthUsd),
              money(report.budget.monthlyLimitUsd),
            ],
          ],
        },
      ];
    case "volume":
      return [
        {
          title: `Notifications in the last ${report.window}: ${report.total}, URGENT share ${pct(report.urgentShare)}`,
          header: ["CATEGORY", "TOTAL", ...PRIORITIES],
          rows: [
            ...report.byCategory.map((c) => [
              c.category,
              ...[c.total, ...PRIORITIES.map((p) => c[p])].map(String),
            ]),
            ["(all)", ...[report.total, ...PRIORITIES.map((p) => report.byPriority[p])].map(String)],
          ],
        },
      ];
    case "failures":
      return [
        {
          title: `Provider attempts in the last ${report.window}`,
          header: ["CHANNEL", "ATTEMPTS", "UNSUCCESSFUL", "SHARE"],
          rows: report.channels.map((c) => [
            c.channel,
            String(c.attempts),
            String(c.unsuccessful),
            pct(c.unsuccessfulShare),
          ]),
        },
        {
          title: "Top errors",
          header: ["COUNT", "CHANNEL", "CODE", "LAST", "MESSAGE"],
          rows: report.top.map((f) => [
            String(f.count),
            f.channel,
            f.errorCode ?? "-",
            iso(f.lastAt),
            f.errorMessage ?? "-",
          ]),
        },
      ];
    case "top-sms-recipients":
      return [
        {
          title: `Recipients by SMS sent in the last ${report.window}`,
          header: ["RECIPIENT", "SMS", "USD"],
          rows: report.recipients.map((r) => [r.recipientId, String(r.count), money(r.usd)]),
        },
      ];
    case "loops":
      return [
        {
          title: `Repeated notifications in the loop window (${report.loopGuard.windowMinutes} min, limit ${report.loopGuard.max})`,
          header: ["RECIPIENT", "TEMPLATE", "SUBJECT", "COUNT", "SKIPPED", "OVER LIMIT", "LAST"],
          rows: report.candidates.map((c) => [
            c.recipientId,
            c.template,
            c.subjectType === null ? "-" : `${c.subjectType}/${c.subjectId}`,
            String(c.count),
            String(c.skipped),
            yesNo(c.overLimit),
            iso(c.lastAt),
          ]),
        },
        {
          title: `Deliveries skipped by the loop guard in the last ${report.window}`,
          header: ["CHANNEL", "SKIPPED"],
          rows: report.skipped.map((s) => [s.channel, String(s.count)]),
        },
      ];
    case "retention":
      return [
        {
          title: `Retention (${report.policy.period}ly, window ${report.window}): next run ${iso(report.nextRunAt)}, last run ${report.lastRun ? `${report.lastRun.window}${report.lastRun.error ? ` failed: ${report.lastRun.error}` : ""}` : "never"}`,
          header: ["CATEGORY", "OLDEST", "CUTOFF", "NEXT RUN REMOVES"],
          rows: report.categories.map((c) => [
            c.category,
            iso(c.oldestAt),
            iso(c.cutoff),
            String(c.toRemove),
          ]),
        },
      ];
  }
}

/** `+$1.20 (+25.0 %)`, `-$0.40 (-10.0 %)`, `+$3.00 (new)` when the week before cost nothing. */
function weekChange(change: { usd: number; share: number | null }): string {
  const sign = change.usd < 0 ? "-" : "+";
  const amount = `${sign}${money(Math.abs(change.usd))}`;
  if (change.share === null) return change.usd === 0 ? amount : `${amount} (new)`;
  return `${amount} (${sign}${Math.abs(change.share * 100).toFixed(1)} %)`;
}
