/**
 * What reports exist and what each returns: the catalogue the service, the read tasks, the CLI and the routes
 * share (apart from the service so the read Worker's tasks do not import the service that launches them).
 */
import type { RetentionPreview } from "../retention/retention.service.ts";
import type { DeliveryRatesReport } from "./delivery-rates.report.ts";
import type { FailuresReport } from "./failures.report.ts";
import type { LoopsReport } from "./loops.report.ts";
import type { SeriesRange } from "./report-series.rules.ts";
import type { ReportWindow } from "./report-window.rules.ts";
import type { SmsCostsReport } from "./sms-costs.report.ts";
import type { TopSmsRecipientsReport } from "./top-sms-recipients.report.ts";
import type { VolumeReport } from "./volume.report.ts";

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

/** One report at `now`, its window already parsed (validation happens before a task is made). */
export interface ReportTask {
  kind: "report";
  name: ReportName;
  now: number;
  window: ReportWindow | null;
  limit: number;
  /** Also count per bucket over this range (volume, delivery-rates, sms-costs); absent: no series. */
  series?: SeriesRange;
}
