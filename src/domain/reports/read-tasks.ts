/**
 * The read-only units that cannot be bounded by an index (a report over days of rows, the all-time stats), as
 * plain-data tasks: the same function runs them on the request thread or on the read Worker
 * (`read-worker.ts`), so both paths give the same answer by construction.
 */
import type { Caches } from "../../caches.ts";
import type { Config } from "../../config.ts";
import type { Database } from "../../db/database.ts";
import { countStats, type Stats } from "../notifications/notifications.stats.ts";
import { previewRetention } from "../retention/retention.service.ts";
import { deliveryRatesReport } from "./delivery-rates.report.ts";
import { failuresReport } from "./failures.report.ts";
import { loopsReport } from "./loops.report.ts";
import type { Report, ReportTask } from "./report-catalogue.ts";
import type { ReportWindow } from "./report-window.rules.ts";
import { smsCostsReport } from "./sms-costs.report.ts";
import { topSmsRecipientsReport } from "./top-sms-recipients.report.ts";
import { volumeReport } from "./volume.report.ts";

/** The all-time counts of `GET /v1/stats`. */
export interface StatsTask {
  kind: "stats";
}

/** Any task the read Worker runs. */
export type ReadTask = ReportTask | StatsTask;

/** What a task returns. */
export type ReadTaskResult<T extends ReadTask> = T extends StatsTask ? Stats : Report;

/** What a task reads through: a database (only `.read` is used), the configuration and the read caches. */
export interface ReadSource {
  db: Database;
  config: Config;
  caches: Caches;
}

const windowOf = (task: ReportTask): ReportWindow => {
  if (!task.window) throw new Error(`report '${task.name}' needs a window`);
  return task.window;
};

/** Runs `task` on `source`. */
export async function runReadTask<T extends ReadTask>(
  source: ReadSource,
  task: T,
): Promise<ReadTaskResult<T>> {
  return (await run(source, task)) as ReadTaskResult<T>;
}

async function run(source: ReadSource, task: ReadTask): Promise<Stats | Report> {
  if (task.kind === "stats") return countStats(source);
  switch (task.name) {
    case "delivery-rates":
      return deliveryRatesReport(source, task.now, task.series);
    case "sms-costs":
      return smsCostsReport(source, task.now, task.series);
    case "volume":
      return volumeReport(source, windowOf(task), task.series);
    case "failures":
      return failuresReport(source, windowOf(task), task.limit);
    case "top-sms-recipients":
      return topSmsRecipientsReport(source, windowOf(task), task.limit);
    case "loops":
      return loopsReport(source, windowOf(task), task.limit);
    case "retention":
      return { report: "retention", generatedAt: task.now, ...(await previewRetention(source, task.now)) };
  }
}
