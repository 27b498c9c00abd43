/**
 * `herald status`: what the running server and the database say, shaped into one screen and one exit code.
 * Pure: the command fetches `/health/ready` and reads the database; this module judges and formats.
 */
import type { AlertView } from "../alerts/alert-evaluator.ts";
import { describePendingRestore, type PendingRestore } from "../backup/pending-restore.ts";
import { CHANNELS } from "../channels/types.ts";
import type { ChannelBacklog } from "../delivery/backlog.repo.ts";
import type { ChannelPause } from "../delivery/channel-pauses.repo.ts";
import type { SmsSpend } from "../domain/guards/sms-budget.rules.ts";
import type { Maintenance } from "../domain/ops-settings/ops-settings.rules.ts";
import type { LatencySummary } from "../observability/latency-window.ts";
import {
  COMPONENT_STATUSES,
  type PerformanceSummary,
  READINESS_STATUSES,
  type Readiness,
} from "../observability/readiness.ts";
import { formatTable } from "./table.ts";

/** What asking the server gave: its readiness, or why there is none. */
export type ServerCheck =
  | { reachable: true; httpStatus: number; readiness: Readiness }
  | { reachable: false; error: string };

/** One channel as the database sees it. */
export interface ChannelStatus {
  channel: "email" | "sms";
  /** Queued deliveries due now, and how long the oldest of them has waited (ms; 0 when none). */
  due: number;
  oldestDueAgeMs: number;
  /** Claimed by a worker right now. */
  leased: number;
  /** Outcome unknown after a crash mid-send: an operator must check and retry or cancel them. */
  unknown: number;
  /** Deliveries created in the last 24 h that failed (the `delivery-rates` report's 24 h row). */
  failed24h: number;
}

/** What the database says, or why it could not be read. */
export type DatabaseCheck =
  | {
      readable: true;
      /** The database's "now" the counts are taken at (epoch ms). */
      at: number;
      channels: ChannelStatus[];
      maintenance: Maintenance;
      smsBudget: SmsSpend;
      /** Channels an account-level provider error has paused (`herald channels resume` ends one). */
      pausedChannels: ChannelPause[];
      /** Alerts firing as the server's evaluator last stored them. */
      firingAlerts: Pick<AlertView, "name" | "severity" | "since" | "value" | "summary">[];
    }
  | { readable: false; error: string };

/** Everything `herald status` prints (its `--json` output). */
export interface StatusReport {
  url: string;
  server: ServerCheck;
  database: DatabaseCheck;
  /** A restore `herald restore --on-next-start` left for the next start (null: none, or not a local file). */
  pendingRestore: PendingRestore | null;
  /** The process exit code: see {@link statusExitCode}. */
  exitCode: 0 | 1 | 2;
}

const componentStatuses = new Set<string>(COMPONENT_STATUSES);
const readinessStatuses = new Set<string>(READINESS_STATUSES);

/** True when `body` has the readiness shape (a proxy's error page or another service on the port has not). */
function isReadiness(body: unknown): body is Readiness {
  if (typeof body !== "object" || body === null) return false;
  const { status, components } = body as Record<string, unknown>;
  if (typeof status !== "string" || !readinessStatuses.has(status)) return false;
  if (typeof components !== "object" || components === null) return false;
  return Object.values(components).every(
    (c) =>
      typeof c === "object" &&
      c !== null &&
      componentStatuses.has((c as { status?: unknown }).status as string),
  );
}

/**
 * Judges the server's answer: 200 and 503 with a readiness body are Herald's; anything else (a proxy's 502, a
 * login page, another service on the port) counts as no answer from Herald.
 */
export function serverCheckFromResponse(httpStatus: number, body: unknown): ServerCheck {
  if ((httpStatus === 200 || httpStatus === 503) && isReadiness(body)) {
    return { reachable: true, httpStatus, readiness: body };
  }
  return { reachable: false, error: `answered HTTP ${httpStatus} without a Herald readiness body` };
}

/** Why a fetch failed, in words for the operator (`timeoutMs` is the limit the request had). */
export function fetchFailure(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; code?: string; message?: string } | null;
  if (e?.name === "TimeoutError") return `no answer within ${timeoutMs / 1000} s`;
  if (e?.code === "ECONNREFUSED") return "connection refused (is the server running on this port?)";
  return e?.message ?? String(error);
}

/**
 * The exit code scripts and monitors act on: 0 when the server says ready, 2 when it says degraded (working, but
 * look), 1 when it says unavailable or did not answer. The database section never changes it: it explains.
 */
export function statusExitCode(server: ServerCheck): 0 | 1 | 2 {
  if (!server.reachable) return 1;
  switch (server.readiness.status) {
    case "ready":
      return 0;
    case "degraded":
      return 2;
    case "unavailable":
      return 1;
  }
}

/** `95ms`, `42s`, `7m 05s`, `3h 12m`, `2d 4h`: an age at a glance. */
export function formatAge(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 1) return `${Math.max(0, Math.round(ms))}ms`;
  if (s < 60) return `${s}s`;
  const pad = (n: number) => String(n).padStart(2, "0");
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

const money = (usd: number) => `$${usd.toFixed(2)}`;
const share = (part: number, whole: number) => (whole > 0 ? ` (${((part / whole) * 100).toFixed(1)} %)` : "");
const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

/** The channel rows of a {@link ChannelBacklog} with each channel's failures of the last 24 h. */
export function channelStatuses(
  backlog: ChannelBacklog,
  failed24h: Record<"email" | "sms", number>,
): ChannelStatus[] {
  return CHANNELS.map((channel) => ({
    channel,
    ...backlog[channel],
    failed24h: failed24h[channel],
  }));
}

/**
 * The screen: the server's verdict and components, a pending restore if one waits, then the database's queue,
 * maintenance, SMS budget, alerts.
 */
export function statusScreen(report: StatusReport, aligned: boolean): string {
  const { server, database } = report;
  const sections: string[] = [];
  if (server.reachable) {
    const { readiness } = server;
    sections.push(
      [
        `Herald at ${report.url}: ${readiness.status.toUpperCase()} (HTTP ${server.httpStatus})`,
        formatTable(
          ["COMPONENT", "STATUS", "DETAIL"],
          Object.entries(readiness.components).map(([name, c]) => [
            name,
            c.status,
            [c.detail, c.latencyMs === undefined ? undefined : `${c.latencyMs} ms`]
              .filter(Boolean)
              .join(", "),
          ]),
          aligned,
        ),
      ].join("\n"),
    );
    if (readiness.performance) sections.push(performanceSection(readiness.performance, aligned));
  } else {
    sections.push(
      `Herald at ${report.url}: UNREACHABLE: ${server.error}\n(what follows is read from the database only)`,
    );
  }
  // Above the database's figures: a pending restore rolls all of them back at the next restart.
  if (report.pendingRestore)
    sections.push(`Pending restore: ${describePendingRestore(report.pendingRestore)}`);
  if (!database.readable) {
    sections.push(`Database: could not read it: ${database.error}`);
    return sections.join("\n\n");
  }
  sections.push(
    [
      `Queue (database, at ${iso(database.at)})`,
      formatTable(
        ["CHANNEL", "DUE", "OLDEST DUE", "LEASED", "UNKNOWN", "FAILED 24H"],
        database.channels.map((c) => [
          c.channel,
          String(c.due),
          c.due === 0 ? "-" : formatAge(c.oldestDueAgeMs),
          String(c.leased),
          String(c.unknown),
          String(c.failed24h),
        ]),
        aligned,
      ),
    ].join("\n"),
  );
  const { maintenance, smsBudget: b } = database;
  const lines = [
    ...database.pausedChannels.map(
      (p) =>
        `Channel ${p.channel} PAUSED until ${iso(p.until)} by ${p.code}: ${p.message} (herald channels resume ${p.channel})`,
    ),
    maintenance.enabled
      ? `Maintenance: ON${maintenance.since === null ? "" : ` since ${iso(maintenance.since)}`}${maintenance.reason ? ` (${maintenance.reason})` : ""}: provider sends are held`
      : "Maintenance: off",
    `SMS spend: today ${money(b.dayUsd)} of ${money(b.dailyLimitUsd)}${share(b.dayUsd, b.dailyLimitUsd)}, ` +
      `month ${money(b.monthUsd)} of ${money(b.monthlyLimitUsd)}${share(b.monthUsd, b.monthlyLimitUsd)}`,
  ];
  if (database.firingAlerts.length === 0) lines.push("Alerts firing: none");
  else
    lines.push(
      `Alerts firing: ${database.firingAlerts.length}`,
      formatTable(
        ["ALERT", "SEVERITY", "SINCE", "SUMMARY"],
        database.firingAlerts.map((a) => [
          a.name,
          a.severity,
          a.since === null ? "-" : iso(a.since),
          a.summary,
        ]),
        aligned,
      ),
    );
  sections.push(lines.join("\n"));
  return sections.join("\n\n");
}

const ms = (value: number) => `${value} ms`;
const latencyRow = (name: string, l: LatencySummary) =>
  l.count === 0
    ? [name, "0", "-", "-", "-", "-"]
    : [name, String(l.count), ms(l.p50Ms), ms(l.p95Ms), ms(l.p99Ms), ms(l.maxMs)];

/**
 * "Is it slow?": request and delivery latency percentiles over the server's recent window, and event-loop lag
 * (a loop held for long makes every request wait, whatever the database does).
 */
export function performanceSection(p: PerformanceSummary, aligned: boolean): string {
  const lag = p.eventLoopLag;
  return [
    `Performance (server, last ${Math.round(p.windowSeconds / 60)} min)`,
    formatTable(
      ["LATENCY", "COUNT", "P50", "P95", "P99", "MAX"],
      [
        latencyRow("requests", p.requests),
        latencyRow("email delivery", p.deliveryLatency.email),
        latencyRow("sms delivery", p.deliveryLatency.sms),
      ],
      aligned,
    ),
    `Event-loop lag (last ${Math.round(lag.windowMs / 1000)} s): p50 ${ms(lag.p50Ms)}, p99 ${ms(lag.p99Ms)}, max ${ms(lag.maxMs)}`,
  ].join("\n");
}
