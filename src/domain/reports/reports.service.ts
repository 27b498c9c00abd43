/**
 * The operator reports behind `GET /v1/reports/{name}` and `herald report <name>`: one verb that picks the
 * report by name, parses its window and runs it at `deps.clock.now()` on the read Worker (`off-thread.ts`).
 */
import type { Deps } from "../../deps.ts";
import { AppError } from "../../errors.ts";
import { runOffThread } from "./off-thread.ts";
import { type Report, type ReportName, type ReportTask, reportNames } from "./report-catalogue.ts";
import { type SeriesBucket, seriesRange } from "./report-series.rules.ts";
import { reportWindow } from "./report-window.rules.ts";

/** Options a report may use; the others ignore them. */
export interface ReportOptions {
  /** `24h`, `7d`, …: volume, failures and top-sms-recipients (default 7d), loops' skip count (default 24h). */
  window?: string;
  /** Most rows in a ranked list (failures, top-sms-recipients, loops); default 20. */
  limit?: number;
  /**
   * Also give volume, delivery-rates and sms-costs per UTC hour or day over `window` (default 7d): the console's
   * charts. The API and the CLI do not ask for it.
   */
  series?: SeriesBucket;
}

/** The window each windowed report uses when none is given. */
export const defaultWindows = {
  volume: "7d",
  failures: "7d",
  "top-sms-recipients": "7d",
  loops: "24h",
} as const;

const DEFAULT_LIMIT = 20;
/** The window of a series asked of a report that has no window of its own. */
const SERIES_WINDOW = "7d";

const isReportName = (name: string): name is ReportName => (reportNames as readonly string[]).includes(name);

/** Runs the report called `name` at the clock's now; an unknown name is `not-found` listing the valid ones. */
export async function runReport(
  deps: Pick<Deps, "db" | "config" | "caches" | "clock">,
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
  const windowed = (defaultWindows as Record<string, string>)[name];
  // Parsed here, so a bad window is a validation error before any work is handed off.
  const window = windowed === undefined ? null : reportWindow(options.window ?? windowed, now);
  const task: ReportTask = {
    kind: "report",
    name,
    now,
    window,
    limit: options.limit ?? DEFAULT_LIMIT,
  };
  if (options.series) {
    task.series = seriesRange(window ?? reportWindow(options.window ?? SERIES_WINDOW, now), options.series);
  }
  // Every report aggregates days of rows: it runs on the read Worker, never on the server's thread.
  return runOffThread(deps, task);
}
