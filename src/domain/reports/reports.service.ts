/**
 * The operator reports behind `GET /v1/reports/{name}` and `herald report <name>`: one verb that picks the
 * report by name, parses its window and runs it on the read connection at `deps.clock.now()`.
 */
import type { Deps } from "../../deps.ts";
import { AppError } from "../../errors.ts";
import { previewRetention, type RetentionPreview } from "../retention/retention.service.ts";
import { type DeliveryRatesReport, deliveryRatesReport } from "./delivery-rates.report.ts";
import { type FailuresReport, failuresReport } from "./failures.report.ts";
import { type LoopsReport, loopsReport } from "./loops.report.ts";
import { reportWindow } from "./report-window.rules.ts";
import { type SmsCostsReport, smsCostsReport } from "./sms-costs.report.ts";
import { type TopSmsRecipientsReport, topSmsRecipientsReport } from "./top-sms-recipients.report.ts";
import { type VolumeReport, volumeReport } from "./volume.report.ts";

/** Every report, in the order help and the 404 list them. */
export const reportNames = [
  "delivery-rates",
  "sms-costs",
  "volume",
  "failures",
  "top-sms-recipients",
  "loops",
  "retention",
] as const;
export type ReportName = (typeof reportNames)[number];

/** `retention`: the retention scheduler's preview (what the next run removes, the oldest rows). */
export type RetentionReport = RetentionPreview & { report: "retention"; generatedAt: number };

/** Any report's result; `report` tells which. */
export type Report =
  | DeliveryRatesReport
  | SmsCostsReport
  | VolumeReport
  | FailuresReport
  | TopSmsRecipientsReport
  | LoopsReport
  | RetentionReport;

/** Options a report may use; the others ignore them. */
export interface ReportOptions {
  /** `24h`, `7d`, …: volume, failures and top-sms-recipients (default 7d), loops' skip count (default 24h). */
  window?: string;
  /** Most rows in a ranked list (failures, top-sms-recipients, loops); default 20. */
  limit?: number;
}

/** The window each windowed report uses when none is given. */
export const defaultWindows = { volume: "7d", failures: "7d", "top-sms-recipients": "7d", loops: "24h" } as const;

const DEFAULT_LIMIT = 20;

const isReportName = (name: string): name is ReportName => (reportNames as readonly string[]).includes(name);

/** Runs the report called `name` at the clock's now; an unknown name is `not-found` listing the valid ones. */
export async function runReport(
  deps: Pick<Deps, "db" | "config" | "clock">,
  name: string,
  options: ReportOptions = {},
): Promise<Report> {
  if (!isReportName(name)) {
    throw new AppError("not-found", `There is no report '${name}'; reports: ${reportNames.join(", ")}`, {
      resource: "report",
      id: name,
      reports: [...reportNames],
    });
  }
  const now = deps.clock.now();
  const limit = options.limit ?? DEFAULT_LIMIT;
  switch (name) {
    case "delivery-rates":
      return deliveryRatesReport(deps, now);
    case "sms-costs":
      return smsCostsReport(deps, now);
    case "volume":
      return volumeReport(deps, reportWindow(options.window ?? defaultWindows.volume, now));
    case "failures":
      return failuresReport(deps, reportWindow(options.window ?? defaultWindows.failures, now), limit);
    case "top-sms-recipients":
      return topSmsRecipientsReport(deps, reportWindow(options.window ?? defaultWindows["top-sms-recipients"], now), limit);
    case "loops":
      return loopsReport(deps, reportWindow(options.window ?? defaultWindows.loops, now), limit);
    case "retention":
      return { report: "retention", generatedAt: now, ...(await previewRetention(deps, now)) };
  }
}
