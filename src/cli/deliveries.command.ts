import { parseArgs } from "node:util";
import { type DeliveryStatus, deliveryStatuses } from "../../db/schema.ts";
import { CHANNELS, type Channel } from "../channels/types.ts";
import {
  cancelDeliveries,
  type DeliveryFilter,
  listDeliveries,
  type RetryableStatus,
  retryableStatuses,
  retryDeliveries,
} from "../delivery/deliveries.service.ts";
import { windowMs } from "../domain/reports/report-window.rules.ts";
import { withDeps } from "./cli-deps.ts";
import { type Command, UsageError } from "./command.ts";
import { formatTable } from "./table.ts";

const filterOptions = {
  status: { type: "string", multiple: true },
  channel: { type: "string" },
  since: { type: "string" },
  recipient: { type: "string" },
  notification: { type: "string" },
  json: { type: "boolean" },
} as const;

/** `--status a,b --status c` as one list, each checked against `allowed`. */
function statuses<T extends string>(values: string[] | undefined, allowed: readonly T[]): T[] | undefined {
  if (!values) return undefined;
  const list = values.flatMap((v) => v.split(",")).map((s) => s.trim());
  const bad = list.filter((s) => !(allowed as readonly string[]).includes(s));
  if (bad.length > 0 || list.length === 0) {
    throw new UsageError(
      `unknown or unusable --status ${bad.join(", ") || "''"} (allowed here: ${allowed.join(", ")})`,
    );
  }
  return [...new Set(list)] as T[];
}

/** `--since 24h` (a duration back from now) or `--since 2026-11-23T09:00:00Z` (an instant). */
function since(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const ms = windowMs(value);
  if (ms !== null) return now - ms;
  const instant = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(instant))
    throw new UsageError(`--since '${value}' must be a duration like 24h or 7d, or an ISO time`);
  return instant;
}

/** The filter fields every action shares, validated (`now` resolves a relative --since). */
function baseFilter(
  values: { channel?: string; since?: string; recipient?: string; notification?: string },
  now: number,
) {
  if (values.channel !== undefined && !(CHANNELS as readonly string[]).includes(values.channel)) {
    throw new UsageError(`--channel must be email or sms, not '${values.channel}'`);
  }
  return {
    channel: values.channel as Channel | undefined,
    createdFrom: since(values.since, now),
    recipientId: values.recipient,
    notificationId: values.notification,
  } satisfies DeliveryFilter;
}

const describeFilter = (f: DeliveryFilter) =>
  [
    f.status?.join("|"),
    f.channel,
    f.createdFrom === undefined ? undefined : `created since ${new Date(f.createdFrom).toISOString()}`,
    f.recipientId && `recipient ${f.recipientId}`,
    f.notificationId && `notification ${f.notificationId}`,
  ]
    .filter(Boolean)
    .join(", ");

/**
 * `herald deliveries list|retry|cancel`: the runbook's "failed deliveries" and "backlog" fixes, on the job table's
 * bulk verbs (one statement each, so a bulk retry happens entirely or not at all). `open` supplies the deps
 * (tests pass a test app's, with its fixed clock).
 */
export function createDeliveriesCommand(open: typeof withDeps = withDeps): Command {
  return {
    name: "deliveries",
    summary: "List deliveries, retry failed ones, cancel queued ones (by status, channel, age)",
    usage: [
      "herald deliveries list [--status S[,S…]] [--channel email|sms] [--since 24h|ISO] [--recipient ID] [--limit N] [--json]",
      `herald deliveries retry --status ${retryableStatuses.join("|")}[,…] [--channel email|sms] [--since 24h|ISO] [--recipient ID] [--notification ID] [--json]`,
      "    sends the matching deliveries back to the queue, due now, with a fresh attempt budget",
      "herald deliveries cancel (--channel email|sms | --since … | --recipient ID | --notification ID)… [--status queued] [--json]",
      "    cancels matching deliveries still queued (at least one filter; leased ones are being sent and are left)",
      "    --since: created within the last 24h / 7d, or at or after an ISO time",
    ],
    async run(args, { config, io }) {
      const [action, ...rest] = args;
      switch (action) {
        case "list": {
          const { values } = parseArgs({
            args: rest,
            options: { ...filterOptions, limit: { type: "string" } },
          });
          const limit = values.limit === undefined ? 50 : Number(values.limit);
          if (!Number.isInteger(limit) || limit < 1 || limit > 200)
            throw new UsageError("--limit must be a whole number from 1 to 200");
          const status = statuses<DeliveryStatus>(values.status, deliveryStatuses);
          const { items } = await open(config(), (deps) =>
            listDeliveries(deps, { ...baseFilter(values, deps.clock.now()), status, limit }),
          );
          // Destinations are contact data: never printed, even to the operator's terminal.
          const rows = items.map(({ destination: _, ...view }) => view);
          if (values.json) io.out(JSON.stringify(rows));
          else if (rows.length === 0) io.err("No matching deliveries.");
          else
            io.out(
              formatTable(
                ["ID", "CHANNEL", "STATUS", "REASON", "RECIPIENT", "ATTEMPTS", "CREATED", "LAST ERROR"],
                rows.map((d) => [
                  d.id,
                  d.channel,
                  d.status,
                  d.reason ?? "",
                  d.recipientId,
                  `${d.attempts}/${d.maxAttempts}`,
                  new Date(d.createdAt).toISOString(),
                  d.lastError ?? "",
                ]),
                io.isTTY,
              ),
            );
          return 0;
        }
        case "retry": {
          const { values } = parseArgs({ args: rest, options: filterOptions });
          const status = statuses<RetryableStatus>(values.status, retryableStatuses);
          if (!status) throw new UsageError(`--status is required (${retryableStatuses.join(", ")})`);
          const { filter, changed } = await open(config(), async (deps) => {
            const filter = { ...baseFilter(values, deps.clock.now()), status };
            return { filter, changed: await retryDeliveries(deps, filter) };
          });
          if (values.json) io.out(JSON.stringify({ action: "retry", changed }));
          else
            io.out(
              `Retried ${changed} ${changed === 1 ? "delivery" : "deliveries"} (${describeFilter(filter)}).`,
            );
          return 0;
        }
        case "cancel": {
          const { values } = parseArgs({ args: rest, options: filterOptions });
          statuses(values.status, ["queued"] as const);
          if (
            ![values.channel, values.since, values.recipient, values.notification].some(
              (v) => v !== undefined,
            )
          ) {
            throw new UsageError(
              "give at least one of --channel, --since, --recipient, --notification (refusing to cancel the whole queue)",
            );
          }
          const { filter, changed } = await open(config(), async (deps) => {
            const filter = baseFilter(values, deps.clock.now());
            return { filter, changed: await cancelDeliveries(deps, filter) };
          });
          if (values.json) io.out(JSON.stringify({ action: "cancel", changed }));
          else
            io.out(
              `Cancelled ${changed} queued ${changed === 1 ? "delivery" : "deliveries"} (${describeFilter(filter)}).`,
            );
          return 0;
        }
        default:
          throw new UsageError(
            action ? `unknown action '${action}'` : "give an action: list, retry or cancel",
          );
      }
    },
  };
}

/** The registered `herald deliveries` command. */
export const deliveriesCommand = createDeliveriesCommand();
