import { parseArgs } from "node:util";
import { OpsSettingsInput } from "../domain/ops-settings/ops-settings.input.ts";
import type { OpsSettings } from "../domain/ops-settings/ops-settings.rules.ts";
import { readOpsSettings, updateOpsSettings } from "../domain/ops-settings/ops-settings.service.ts";
import { AppError, type FieldIssue, fieldIssues } from "../errors.ts";
import { withDeps } from "./cli-deps.ts";
import { type CliIo, type Command, UsageError } from "./command.ts";
import { formatTable, printedAsJson } from "./table.ts";

/** A refused document: every issue on its own line, as the API's problem lists them. */
const invalid = (issues: FieldIssue[]) =>
  new UsageError(
    [
      "the settings document is not valid (nothing was changed):",
      ...issues.map((i) => `  ${i.path}: ${i.message}`),
    ].join("\n"),
  );

/** The settings as `path value` rows (`rollout.sms.mode  percent`), in document order. */
function flatten(value: unknown, path: string, rows: string[][]): string[][] {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) flatten(inner, path ? `${path}.${key}` : key, rows);
  } else if (path.endsWith("since") && typeof value === "number") {
    rows.push([path, new Date(value).toISOString()]);
  } else {
    rows.push([path, typeof value === "string" ? value : JSON.stringify(value)]);
  }
  return rows;
}

/** A table on a terminal; the API's body with `--json` or on a pipe. */
function print(settings: OpsSettings, json: boolean | undefined, io: CliIo) {
  if (!printedAsJson(io, json, settings))
    io.out(formatTable(["SETTING", "VALUE"], flatten(settings, "", []), true));
}

/**
 * `herald settings show|set`: the operator settings of `GET`/`PUT /v1/settings` (maintenance, rollout, SMS budget,
 * loop guard). `set` takes the API's partial document and checks it with the same schema and the same domain
 * verb, so a document the API refuses is refused here too, issue by issue, with exit 64 and nothing changed.
 * `open` supplies the deps (tests pass a test app's, with its fixed clock).
 */
export function createSettingsCommand(open: typeof withDeps = withDeps): Command {
  return {
    name: "settings",
    summary: "Show or change the operator settings (maintenance, rollout, SMS budget, loop guard)",
    usage: [
      "herald settings show [--json]",
      "herald settings set <json-document> [--json]   a partial update, as PUT /v1/settings takes it",
      `    e.g. herald settings set '{"smsBudget":{"dailyUsd":20}}'`,
      `         herald settings set '{"rollout":{"sms":{"mode":"percent","percent":10}}}'`,
    ],
    async run(args, { config, io }) {
      const [action, ...rest] = args;
      switch (action) {
        case "show": {
          const { values } = parseArgs({ args: rest, options: { json: { type: "boolean" } } });
          print(await open(config(), (deps) => readOpsSettings(deps.db.read, deps.config)), values.json, io);
          return 0;
        }
        case "set": {
          const { values, positionals } = parseArgs({
            args: rest,
            allowPositionals: true,
            options: { json: { type: "boolean" } },
          });
          if (positionals.length !== 1)
            throw new UsageError("give one JSON document (quote it for the shell)");
          let document: unknown;
          try {
            document = JSON.parse(positionals[0] as string);
          } catch (error) {
            throw invalid([{ path: "(body)", message: `not JSON: ${(error as Error).message}` }]);
          }
          const parsed = OpsSettingsInput.safeParse(document);
          if (!parsed.success) throw invalid(fieldIssues(parsed.error.issues));
          const settings = await open(config(), (deps) => updateOpsSettings(deps, parsed.data, "cli")).catch(
            (error: unknown) => {
              // The combination is inconsistent (e.g. a daily budget above the monthly one): the operator's to fix.
              if (error instanceof AppError && error.code === "validation-failed") {
                throw invalid(error.extras.errors ?? [{ path: "(body)", message: error.message }]);
              }
              throw error;
            },
          );
          print(settings, values.json, io);
          return 0;
        }
        default:
          throw new UsageError(action ? `unknown action '${action}'` : "give an action: show or set");
      }
    },
  };
}

/** The registered `herald settings` command. */
export const settingsCommand = createSettingsCommand();
