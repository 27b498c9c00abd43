/**
 * The operator reports behind `GET /v1/reports/{name}` and `herald report <name>`: one verb that picks the
 * report by name, parses its window and runs it at `deps.clock.now()` on the read Worker (`off-thread.ts`).
 */
import type { Deps } from "../../deps.ts";
import { AppError } from "../../errors.ts";
import { runOffThread } from "./off-thread.ts";
import { type Report, type ReportName, type ReportTask, reportNames } from "./report-catalogue.ts";
import { reportWindow } from "./report-window.rules.ts";

/** Options a report may use; the others ignore them. */
export interface ReportOptions {
  /** `24h`, `7d`, …: volume, failures and top-sms-recipients (default 7d), loops' skip count (default 24h). */
  window?: string;
  /** Most rows in a ranked list (failures, top-sms-recipients, loops); default 20. */
  limit?: number;
}

/** The window each windowed report uses when none is given. */
export const defaultWindows = {
  volume: "7d",
  failures: "7d",
  "top-sms-recipients": "7d",
  loops: "24h",
} as const;

const DEFAULT_LIMIT = 20;

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
  const task: ReportTask = {
    kind: "report",
    name,
    now,
    // Parsed here, so a bad window is a validation error before any work is handed off.
    window: windowed === undefined ? null : reportWindow(options.window ?? windowed, now),
    limit: options.limit ?? DEFAULT_LIMIT,
  };
  // Every report aggregates days of rows: it runs on the read Worker, never on the server's thread.
  return runOffThread(deps, task);
}
