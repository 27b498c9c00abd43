/**
 * Gathers what the alert rules read: counts from the database (read handle only; each query is indexed by
 * channel + created_at, status, or the attempt log's created_at), the workers' state from the delivery engine,
 * and the guards' SMS budget spend and maintenance flag. Windows are measured from the database, not from
 * process-local counters, so a restart neither hides nor repeats a condition.
 */
import { and, count, eq, gte, sql } from "drizzle-orm";
import { deliveries, deliveryAttempts } from "../../db/schema.ts";
import { type ChannelBacklog, channelBacklog } from "../delivery/backlog.repo.ts";
import type { Deps } from "../deps.ts";
import { smsSpend } from "../domain/guards/sms-budget.service.ts";
import { getOpsSettings } from "../domain/ops-settings/ops-settings.service.ts";
import type { AlertChannel, AlertSnapshot, ChannelSnapshot } from "./alert-rules.rules.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** SMS statuses whose cost was (or may have been) incurred at the provider. */
const SPENT = sql`('sent', 'delivered', 'bounced', 'complained', 'unknown')`;

async function channelSnapshot(
  deps: Omit<Deps, "schedulers">,
  channel: AlertChannel,
  backlog: ChannelBacklog[AlertChannel],
  now: number,
): Promise<ChannelSnapshot> {
  const q = deps.db.read;
  const [recent] = await q
    .select({
      finished: sql<number>`coalesce(sum(${deliveries.status} IN ('sent', 'delivered', 'bounced', 'complained', 'failed')), 0)`,
      failed: sql<number>`coalesce(sum(${deliveries.status} IN ('failed', 'bounced')), 0)`,
      // Latency of undeferred deliveries only: a quiet-hours or send-at delay is not slowness.
      latencyCount: sql<number>`coalesce(sum(${deliveries.sentAt} IS NOT NULL AND ${deliveries.reason} IS NULL AND ${deliveries.createdAt} >= ${now - 15 * MINUTE}), 0)`,
      latencyAvg: sql<number | null>`avg(CASE WHEN ${deliveries.sentAt} IS NOT NULL AND ${deliveries.reason} IS NULL AND ${deliveries.createdAt} >= ${now - 15 * MINUTE} THEN ${deliveries.sentAt} - ${deliveries.createdAt} END)`,
    })
    .from(deliveries)
    .where(and(eq(deliveries.channel, channel), gte(deliveries.createdAt, now - HOUR)));
  const [attempts] = await q
    .select({ n: count() })
    .from(deliveryAttempts)
    .innerJoin(deliveries, eq(deliveries.id, deliveryAttempts.deliveryId))
    .where(and(gte(deliveryAttempts.createdAt, now - 5 * MINUTE), eq(deliveries.channel, channel)));
  const worker = deps.delivery.status()[channel];
  return {
    finishedLastHour: Number(recent?.finished ?? 0),
    failedLastHour: Number(recent?.failed ?? 0),
    queueDepth: backlog.due,
    oldestDueAgeMs: backlog.oldestDueAgeMs,
    attemptsLast5m: attempts?.n ?? 0,
    latency: { count: Number(recent?.latencyCount ?? 0), avgMs: Number(recent?.latencyAvg ?? 0) },
    paused: worker.paused ? { code: worker.paused.code, until: worker.paused.until } : null,
  };
}

/** Reads the current snapshot at `deps.clock.now()`. */
export async function readAlertSnapshot(deps: Omit<Deps, "schedulers">): Promise<AlertSnapshot> {
  const now = deps.clock.now();
  const q = deps.db.read;
  const backlog = await channelBacklog(deps, now);
  const [email, sms] = await Promise.all([
    channelSnapshot(deps, "email", backlog.email, now),
    channelSnapshot(deps, "sms", backlog.sms, now),
  ]);
  const [smsCost] = await q
    .select({
      hour: sql<number>`coalesce(sum(CASE WHEN ${deliveries.createdAt} >= ${now - HOUR} AND ${deliveries.status} IN ${SPENT} THEN ${deliveries.costUsd} END), 0)`,
      day: sql<number>`coalesce(sum(CASE WHEN ${deliveries.status} IN ${SPENT} THEN ${deliveries.costUsd} END), 0)`,
    })
    .from(deliveries)
    .where(and(eq(deliveries.channel, "sms"), gte(deliveries.createdAt, now - 24 * HOUR)));
  const loopSkips = await Promise.all(
    (["email", "sms"] as const).map(async (channel) => {
      const [row] = await q
        .select({ n: count() })
        .from(deliveries)
        .where(
          and(
            eq(deliveries.channel, channel),
            gte(deliveries.createdAt, now - HOUR),
            eq(deliveries.status, "skipped"),
            eq(deliveries.reason, "loop"),
          ),
        );
      return row?.n ?? 0;
    }),
  );
  return {
    now,
    channels: { email, sms },
    maintenance: (await getOpsSettings(deps)).maintenance.enabled,
    smsUnknown: backlog.sms.unknown,
    loopSkipsLastHour: loopSkips.reduce((a, b) => a + b, 0),
    smsCostLastHourUsd: Number(smsCost?.hour ?? 0),
    smsCostLastDayUsd: Number(smsCost?.day ?? 0),
    smsBudget: await smsSpend(deps, now),
  };
}
