/**
 * Gathers what the alert rules read: counts from the database (read handle only), the workers' state from the
 * delivery engine, and the guards' SMS budget spend and maintenance flag. Windows are measured from the
 * database, not from process-local counters, so a restart neither hides nor repeats a condition.
 *
 * Every query is bounded by its time window on an index, so its cost follows the window's rows, not the table's:
 * the last hour's deliveries on (channel, created_at), the last 5 minutes' attempts on the attempt log's
 * created_at (joined to their delivery by id, never the other way round), SMS cost and budget on the covering SMS
 * index. Between two queries the snapshot yields to the event loop, so each is its own short step.
 */
import { sql } from "drizzle-orm";
import { CHANNELS, type Channel } from "../channels/types.ts";
import { type ChannelBacklog, channelBacklog } from "../delivery/backlog.repo.ts";
import type { Deps } from "../deps.ts";
import { smsSpend } from "../domain/guards/sms-budget.service.ts";
import { getOpsSettings } from "../domain/ops-settings/ops-settings.service.ts";
import type { ServerDeps } from "../server-deps.ts";
import type { AlertSnapshot, ChannelSnapshot } from "./alert-definitions.rules.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Lets the event loop serve what arrived while the previous query ran. */
const yieldTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

type SnapshotDeps = Deps & Pick<ServerDeps, "delivery">;

/** Per channel: the last hour's finished, failed and loop-skipped deliveries and the last 15 min's latency. */
interface RecentCounts {
  finished: number;
  failed: number;
  loopSkips: number;
  latencyCount: number;
  latencyAvg: number | null;
}

/** One range of deliveries_channel_created_idx per channel (the last hour's rows). */
async function recentDeliveries(deps: SnapshotDeps, now: number): Promise<Record<Channel, RecentCounts>> {
  const since15 = now - 15 * MINUTE;
  const rows = await deps.db.read.all<RecentCounts & { channel: Channel }>(sql`
    SELECT channel,
      coalesce(sum(status IN ('sent', 'delivered', 'bounced', 'complained', 'failed')), 0) AS finished,
      coalesce(sum(status IN ('failed', 'bounced')), 0) AS failed,
      coalesce(sum(status = 'skipped' AND reason = 'loop'), 0) AS loopSkips,
      -- Latency of undeferred deliveries only: a quiet-hours or send-at delay is not slowness.
      coalesce(sum(sent_at IS NOT NULL AND reason IS NULL AND created_at >= ${since15}), 0) AS latencyCount,
      avg(CASE WHEN sent_at IS NOT NULL AND reason IS NULL AND created_at >= ${since15} THEN sent_at - created_at END) AS latencyAvg
    FROM deliveries INDEXED BY deliveries_channel_created_idx
    WHERE channel IN ('email', 'sms') AND created_at >= ${now - HOUR}
    GROUP BY channel`);
  const empty: RecentCounts = { finished: 0, failed: 0, loopSkips: 0, latencyCount: 0, latencyAvg: null };
  const of = (channel: Channel) => rows.find((r) => r.channel === channel) ?? empty;
  return { email: of("email"), sms: of("sms") };
}

/** Attempts of the last 5 minutes per channel: a range of the attempt log's created_at index, each joined by id. */
async function recentAttempts(deps: SnapshotDeps, now: number): Promise<Record<Channel, number>> {
  // CROSS JOIN keeps the attempt log as the outer loop (SQLite does not reorder it).
  const rows = await deps.db.read.all<{ channel: Channel; n: number }>(sql`
    SELECT d.channel AS channel, count(*) AS n
    FROM delivery_attempts a INDEXED BY delivery_attempts_created_idx CROSS JOIN deliveries d ON d.id = a.delivery_id
    WHERE a.created_at >= ${now - 5 * MINUTE}
    GROUP BY d.channel`);
  const of = (channel: Channel) => Number(rows.find((r) => r.channel === channel)?.n ?? 0);
  return { email: of("email"), sms: of("sms") };
}

/** Spend of SMS created in the last hour and 24 hours that reached (or may have reached) the provider. */
async function smsCost(deps: SnapshotDeps, now: number): Promise<{ hour: number; day: number }> {
  const row = await deps.db.read.get<{ hour: number; day: number }>(sql`
    SELECT coalesce(sum(CASE WHEN created_at >= ${now - HOUR} THEN cost_usd END), 0) AS hour,
           coalesce(sum(cost_usd), 0) AS day
    FROM deliveries INDEXED BY deliveries_sms_spend_idx
    WHERE channel = 'sms' AND created_at >= ${now - 24 * HOUR}
      AND status IN ('sent', 'delivered', 'bounced', 'complained', 'unknown')`);
  return { hour: Number(row?.hour ?? 0), day: Number(row?.day ?? 0) };
}

function channelSnapshot(
  deps: SnapshotDeps,
  channel: Channel,
  backlog: ChannelBacklog[Channel],
  recent: RecentCounts,
  attempts: number,
): ChannelSnapshot {
  const worker = deps.delivery.status()[channel];
  return {
    finishedLastHour: Number(recent.finished),
    failedLastHour: Number(recent.failed),
    queueDepth: backlog.due,
    oldestDueAgeMs: backlog.oldestDueAgeMs,
    attemptsLast5m: attempts,
    latency: { count: Number(recent.latencyCount), avgMs: Number(recent.latencyAvg ?? 0) },
    paused: worker.paused ? { code: worker.paused.code, until: worker.paused.until } : null,
  };
}

/** Reads the current snapshot at `deps.clock.now()`, one short query per event-loop turn. */
export async function readAlertSnapshot(deps: SnapshotDeps): Promise<AlertSnapshot> {
  const now = deps.clock.now();
  const backlog = await channelBacklog(deps, now);
  await yieldTurn();
  const recent = await recentDeliveries(deps, now);
  await yieldTurn();
  const attempts = await recentAttempts(deps, now);
  await yieldTurn();
  const cost = await smsCost(deps, now);
  await yieldTurn();
  const smsBudget = await smsSpend(deps, now);
  await yieldTurn();
  const [email, sms] = CHANNELS.map((channel) =>
    channelSnapshot(deps, channel, backlog[channel], recent[channel], attempts[channel]),
  ) as [ChannelSnapshot, ChannelSnapshot];
  return {
    now,
    channels: { email, sms },
    maintenance: (await getOpsSettings(deps)).maintenance.enabled,
    smsUnknown: backlog.sms.unknown,
    loopSkipsLastHour: Number(recent.email.loopSkips) + Number(recent.sms.loopSkips),
    smsCostLastHourUsd: cost.hour,
    smsCostLastDayUsd: cost.day,
    smsBudget,
  };
}
