import { parseArgs } from "node:util";
import { reportNames } from "../domain/reports/report-catalogue.ts";
import { reportSections } from "../domain/reports/report-tables.rules.ts";
import { defaultWindows, runReport } from "../domain/reports/reports.service.ts";
import { AppError } from "../errors.ts";
import { withDeps } from "./cli-deps.ts";
import { type Command, UsageError } from "./command.ts";
import { formatTable, printedAsJson } from "./table.ts";

/**
 * `herald report <name>`: the operator reports of `GET /v1/reports/{name}`. Tables on a terminal; JSON (the API's
 * body) with `--json` or when stdout is not a terminal, so scripts get something they can parse either way.
 * `open` supplies the deps (tests pass a test app's, with its fixed clock).
 */
export function createReportCommand(open: typeof withDeps = withDeps): Command {
  return {
    name: "report",
    summary: "Show an operator report (delivery rates, SMS costs, volume, failures, loops, retention…)",
    usage: [
      "herald report <name> [--window 24h|7d|…] [--limit N] [--json]",
      `    names: ${reportNames.join(", ")}`,
      `    --window: volume, failures, top-sms-recipients (default ${defaultWindows.volume}); loops' skip count (default ${defaultWindows.loops})`,
      "    --limit: rows in ranked lists (default 20)",
    ],
    async run(args, { config, io }) {
      const { values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: { json: { type: "boolean" }, window: { type: "string" }, limit: { type: "string" } },
      });
      if (positionals.length !== 1) throw new UsageError(`give one report name: ${reportNames.join(", ")}`);
      const [name] = positionals as [string];
      if (!(reportNames as readonly string[]).includes(name)) {
        throw new UsageError(`unknown report '${name}' (reports: ${reportNames.join(", ")})`);
      }
      const limit = values.limit === undefined ? undefined : Number(values.limit);
      if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= 200)) {
        throw new UsageError("--limit must be a whole number from 1 to 200");
      }
      const report = await open(config(), (deps) =>
        runReport(deps, name, { window: values.window, limit }),
      ).catch((error: unknown) => {
        // A malformed window is the operator's typo: show the usage, not a failure.
        if (error instanceof AppError && error.code === "validation-failed")
          throw new UsageError(error.message);
        throw error;
      });
      if (printedAsJson(io, values.json, report)) return 0;
      io.out(
        reportSections(report)
          .map((s) => `${s.title}\n${s.rows.length === 0 ? "(none)" : formatTable(s.header, s.rows, true)}`)
          .join("\n\n"),
      );
      return 0;
    },
  };
}

/** The registered `herald report` command. */
export const reportCommand = createReportCommand();
