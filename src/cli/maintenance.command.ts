import { parseArgs } from "node:util";
import type { Maintenance } from "../domain/ops-settings/ops-settings.rules.ts";
import { readOpsSettings, updateOpsSettings } from "../domain/ops-settings/ops-settings.service.ts";
import { withDeps } from "./cli-deps.ts";
import { type CliIo, type Command, UsageError } from "./command.ts";

/** The longest maintenance note (as `PUT /v1/settings` accepts). */
const MAX_REASON = 500;

/**
 * `herald maintenance on|off|status`: pauses and resumes every provider send. While on, workers claim nothing,
 * so deliveries wait in the queue and nothing is lost; a running server notices within about a second.
 */
export const maintenanceCommand: Command = {
  name: "maintenance",
  summary: "Pause or resume all email and SMS sends",
  usage: [
    "herald maintenance on [--reason TEXT] [--json]   pause provider sends (deliveries stay queued)",
    "herald maintenance off [--json]                  resume them",
    "herald maintenance status [--json]",
  ],
  async run(args, { config, io }) {
    const [action, ...rest] = args;
    switch (action) {
      case "on": {
        const { values } = parseArgs({
          args: rest,
          options: { reason: { type: "string" }, json: { type: "boolean" } },
        });
        const reason = values.reason?.trim();
        if (reason !== undefined && (reason.length === 0 || reason.length > MAX_REASON)) {
          throw new UsageError(`--reason must be 1-${MAX_REASON} characters`);
        }
        const settings = await withDeps(config(), (deps) =>
          updateOpsSettings(
            deps,
            { maintenance: { enabled: true, ...(reason !== undefined && { reason }) } },
            "cli",
          ),
        );
        print(settings.maintenance, values.json, io);
        return 0;
      }
      case "off": {
        const { values } = parseArgs({ args: rest, options: { json: { type: "boolean" } } });
        const settings = await withDeps(config(), (deps) =>
          updateOpsSettings(deps, { maintenance: { enabled: false } }, "cli"),
        );
        print(settings.maintenance, values.json, io);
        return 0;
      }
      case "status": {
        const { values } = parseArgs({ args: rest, options: { json: { type: "boolean" } } });
        const settings = await withDeps(config(), (deps) => readOpsSettings(deps.db.read, deps.config));
        print(settings.maintenance, values.json, io);
        return 0;
      }
      default:
        throw new UsageError(action ? `unknown action '${action}'` : "give an action: on, off or status");
    }
  },
};

/** One line for people, the maintenance object for scripts. */
function print(maintenance: Maintenance, json: boolean | undefined, io: CliIo) {
  if (json) {
    io.out(JSON.stringify(maintenance));
    return;
  }
  if (!maintenance.enabled) {
    io.out("maintenance: off (email and SMS are being sent)");
    return;
  }
  const since = maintenance.since === null ? "" : ` since ${new Date(maintenance.since).toISOString()}`;
  const reason = maintenance.reason ? ` (${maintenance.reason})` : "";
  io.out(`maintenance: on${since}${reason}; email and SMS wait in the queue`);
}
