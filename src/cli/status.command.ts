import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { alertList } from "../alerts/alert-evaluator.ts";
import { readPendingRestore } from "../backup/pending-restore.ts";
import { channelBacklog } from "../delivery/backlog.repo.ts";
import { activePauses } from "../delivery/channel-pauses.repo.ts";
import type { Deps } from "../deps.ts";
import { smsSpend } from "../domain/guards/sms-budget.service.ts";
import { readOpsSettings } from "../domain/ops-settings/ops-settings.service.ts";
import { deliveryRatesReport } from "../domain/reports/delivery-rates.report.ts";
import { withDeps } from "./cli-deps.ts";
import { type Command, UsageError } from "./command.ts";
import {
  channelStatuses,
  type DatabaseCheck,
  fetchFailure,
  type ServerCheck,
  type StatusReport,
  serverCheckFromResponse,
  statusExitCode,
  statusScreen,
} from "./status.rules.ts";
import { printedAsJson } from "./table.ts";

/** How long `herald status` waits for `/health/ready`: a healthy server answers in milliseconds. */
export const STATUS_TIMEOUT_MS = 2_000;

/** Asks the server at `baseUrl` for its readiness (no key: the endpoint is public). */
async function checkServer(baseUrl: string, timeoutMs: number): Promise<ServerCheck> {
  try {
    const response = await fetch(`${baseUrl}/health/ready`, {
      signal: AbortSignal.timeout(timeoutMs),
      headers: { accept: "application/json" },
    });
    const body: unknown = await response.json().catch(() => null);
    return serverCheckFromResponse(response.status, body);
  } catch (error) {
    return { reachable: false, error: fetchFailure(error, timeoutMs) };
  }
}

/**
 * The database's view, read only, through the verbs behind the API: the `/metrics` backlog, the
 * `delivery-rates` report, `/v1/settings`, the SMS budget, `/v1/alerts` and `/v1/channels`' pauses.
 */
async function readDatabase(deps: Deps): Promise<DatabaseCheck> {
  const now = deps.clock.now();
  const [backlog, rates, settings, smsBudget, alerts, pausedChannels] = await Promise.all([
    channelBacklog(deps, now),
    deliveryRatesReport(deps, now),
    readOpsSettings(deps.db.read, deps.config),
    smsSpend(deps, now),
    alertList(deps, { state: "firing" }),
    activePauses(deps.db.read, now),
  ]);
  const failed = (channel: "email" | "sms") =>
    rates.rows.find((r) => r.channel === channel && r.period === "24h")?.failed ?? 0;
  return {
    readable: true,
    at: now,
    channels: channelStatuses(backlog, { email: failed("email"), sms: failed("sms") }),
    maintenance: settings.maintenance,
    smsBudget,
    pausedChannels,
    firingAlerts: alerts.alerts.map(({ name, severity, since, value, summary }) => ({
      name,
      severity,
      since,
      value,
      summary,
    })),
  };
}

/** The local file a `file:` database URL names (null for a remote database). */
function localDatabaseFile(url: string): string | null {
  return url.startsWith("file:") ? (url.slice("file:".length).split("?")[0] ?? null) : null;
}

/** Options for {@link createStatusCommand} (tests shorten the timeout and pass a test app's deps). */
export interface StatusCommandOptions {
  open?: typeof withDeps;
  timeoutMs?: number;
}

/**
 * `herald status`: the on-call engineer's first command. Asks the running server for `/health/ready` and reads
 * the database (queue, maintenance, SMS budget, firing alerts), so it still says something useful when the server
 * is down. Exit code 0 ready, 2 degraded, 1 unavailable or unreachable.
 */
export function createStatusCommand({
  open = withDeps,
  timeoutMs = STATUS_TIMEOUT_MS,
}: StatusCommandOptions = {}): Command {
  return {
    name: "status",
    summary:
      "Is Herald doing its job? Server readiness and latency, pending restore, queue, paused channels, maintenance, SMS budget, alerts",
    usage: [
      "herald status [--url URL] [--json]",
      "    --url: the running server (default http://127.0.0.1:$PORT); asks GET /health/ready with a 2 s timeout",
      "    exit code: 0 ready, 2 degraded (working, but look), 1 unavailable or not answering",
    ],
    async run(args, { config, io }) {
      const { values } = parseArgs({ args, options: { url: { type: "string" }, json: { type: "boolean" } } });
      const cfg = config();
      const url = (values.url ?? `http://127.0.0.1:${cfg.PORT}`).replace(/\/+$/, "");
      if (!/^https?:\/\/[^/]/.test(url) || !URL.canParse(url)) {
        throw new UsageError(`--url must be an http(s) URL like http://127.0.0.1:3000, not '${values.url}'`);
      }
      const file = localDatabaseFile(cfg.DATABASE_URL);
      const [server, database] = await Promise.all([
        checkServer(url, timeoutMs),
        // Opening a missing file would create an empty database (and report an empty queue): say so instead.
        file !== null && !existsSync(file)
          ? ({ readable: false, error: `no database file at ${file} (check DATABASE_URL)` } as const)
          : open(cfg, readDatabase).catch(
              (error: unknown): DatabaseCheck => ({
                readable: false,
                error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
              }),
            ),
      ]);
      const pendingRestore = file === null ? null : readPendingRestore(file, Date.now());
      const report: StatusReport = {
        url,
        server,
        database,
        pendingRestore,
        exitCode: statusExitCode(server),
      };
      if (!printedAsJson(io, values.json, report)) io.out(statusScreen(report, true));
      return report.exitCode;
    },
  };
}

/** The registered `herald status` command. */
export const statusCommand = createStatusCommand();
