import { parseArgs } from "node:util";
import { ALERT_STATES, type AlertStateName } from "../alerts/alert-definitions.rules.ts";
import { type AlertView, alertList } from "../alerts/alert-evaluator.ts";
import { withDeps } from "./cli-deps.ts";
import { type Command, UsageError } from "./command.ts";
import { formatAge } from "./status.rules.ts";
import { formatTable, printedAsJson } from "./table.ts";

/**
 * `herald alerts`: the in-process alert rules and their states, as `GET /v1/alerts` lists them (the same read,
 * so the two never disagree). A table on a terminal; the API's body with `--json` or when stdout is a pipe.
 * `open` supplies the deps (tests pass a test app's, with its fixed clock).
 */
export function createAlertsCommand(open: typeof withDeps = withDeps): Command {
  return {
    name: "alerts",
    summary: "Show the alert rules and which are pending or firing",
    usage: [
      "herald alerts [--state firing|pending|ok] [--json]",
      "    the rules evaluated by the `alerts` scheduler (every HERALD_ALERT_INTERVAL_MS), firing ones first",
    ],
    async run(args, { config, io }) {
      const { values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: { state: { type: "string" }, json: { type: "boolean" } },
      });
      if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
      const state = values.state as AlertStateName | undefined;
      if (state !== undefined && !ALERT_STATES.includes(state)) {
        throw new UsageError(`--state must be one of ${ALERT_STATES.join(", ")}, not '${values.state}'`);
      }
      const { list, now } = await open(config(), async (deps) => ({
        list: await alertList(deps, { state }),
        now: deps.clock.now(),
      }));
      if (printedAsJson(io, values.json, list)) return 0;
      if (list.alerts.length === 0) {
        io.err(state ? `No alerts ${state}.` : "No alert rules.");
        return 0;
      }
      const rank: Record<AlertView["state"], number> = { firing: 0, pending: 1, ok: 2 };
      const rows = [...list.alerts].sort((a, b) => rank[a.state] - rank[b.state]);
      io.out(
        formatTable(
          ["NAME", "SEVERITY", "STATE", "FOR", "VALUE", "SUMMARY"],
          rows.map((a) => [
            a.name,
            a.severity,
            a.state,
            a.since === null ? "" : formatAge(now - a.since),
            a.value === null ? "" : String(Number(a.value.toFixed(4))),
            a.summary,
          ]),
          true,
        ),
      );
      io.out(list.firing.length === 0 ? "\nNothing firing." : `\nFiring: ${list.firing.join(", ")}`);
      return 0;
    },
  };
}

/** The registered `herald alerts` command. */
export const alertsCommand = createAlertsCommand();
