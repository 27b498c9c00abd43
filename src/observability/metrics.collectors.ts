/**
 * Scrape-time gauges: what the database and the running loops look like at the moment `GET /metrics` is
 * scraped (queue depth, oldest due age, leases, unknown deliveries, scheduler timestamps, maintenance mode from
 * the cached operator settings). Each gauge family costs at most one indexed query on the read connection, never
 * the writer, so a scrape cannot delay a commit.
 */
import { sql } from "drizzle-orm";
import type { Channel } from "../channels/types.ts";
import type { Deps } from "../deps.ts";
import { getOpsSettings } from "../domain/ops-settings/ops-settings.service.ts";

/** What the collectors read. */
export type CollectorDeps = Pick<Deps, "db" | "config" | "clock" | "logger" | "metrics" | "schedulers" | "delivery">;

const channels: readonly Channel[] = ["email", "sms"];

/** Registries that already have Herald's collectors, so building a second app on the same deps adds none. */
const registered = new WeakSet<object>();

/**
 * Registers Herald's collectors on `deps.metrics.registry` (once per registry). A collector that fails (the
 * database is unreachable) is logged and counted in `herald_metrics_collector_errors_total`; the scrape still
 * answers with everything counted in process, which is what an operator needs most when the database is down.
 */
export function registerCollectors(deps: CollectorDeps): void {
  const { registry } = deps.metrics;
  if (registered.has(registry)) return;
  registered.add(registry);
  const guarded = (name: string, collect: () => Promise<void> | void) => async () => {
    try {
      await collect();
    } catch (error) {
      deps.metrics.collectorErrors.inc({ collector: name });
      deps.logger.warn("metrics collector failed", { collector: name, error: (error as Error)?.name, message: (error as Error)?.message });
    }
  };
  registry.collect(guarded("queue", () => collectBacklog(deps)));
  registry.collect(guarded("schedulers", () => collectSchedulers(deps)));
  registry.collect(
    guarded("maintenance", async () => deps.metrics.maintenance.set({}, (await getOpsSettings(deps)).maintenance.enabled ? 1 : 0)),
  );
}

/** Per channel: due queued deliveries, how long the oldest has waited (ms), and leased and unknown ones. */
export type ChannelBacklog = Record<Channel, { due: number; oldestDueAgeMs: number; leased: number; unknown: number }>;

/**
 * The backlog of `GET /metrics` (and `herald status`) at `now`, in two queries. Due queued deliveries read only
 * the partial claim index (`status = 'queued'`, ordered by channel, priority, run_at), so they cost one index
 * range per channel and never touch the table. Age is measured from `run_at`: when the delivery became due
 * (creation, the end of a deferral, or its retry time). Leased and unknown ones use the (status, channel) index.
 */
export async function channelBacklog(deps: Pick<Deps, "db">, now: number): Promise<ChannelBacklog> {
  const [queued, held] = await Promise.all([
    deps.db.read.all<{ channel: Channel; depth: number; oldest: number | null }>(sql`
      SELECT channel, count(*) AS depth, min(run_at) AS oldest FROM deliveries INDEXED BY deliveries_claim_idx
      WHERE status = 'queued' AND run_at <= ${now}
      GROUP BY channel`),
    deps.db.read.all<{ status: "leased" | "unknown"; channel: Channel; n: number }>(sql`
      SELECT status, channel, count(*) AS n FROM deliveries
      WHERE status IN ('leased', 'unknown')
      GROUP BY status, channel`),
  ]);
  const count = (status: string, channel: Channel) =>
    Number(held.find((r) => r.status === status && r.channel === channel)?.n ?? 0);
  const backlog = (channel: Channel) => {
    const row = queued.find((r) => r.channel === channel);
    return {
      due: Number(row?.depth ?? 0),
      oldestDueAgeMs: row?.oldest == null ? 0 : Math.max(0, now - Number(row.oldest)),
      leased: count("leased", channel),
      unknown: count("unknown", channel),
    };
  };
  return { email: backlog("email"), sms: backlog("sms") };
}

/** Queue depth, oldest due age, leases and unknown deliveries per channel. */
async function collectBacklog(deps: CollectorDeps): Promise<void> {
  const backlog = await channelBacklog(deps, deps.clock.now());
  for (const channel of channels) {
    const { due, oldestDueAgeMs, leased, unknown } = backlog[channel];
    deps.metrics.queueDepth.set({ channel }, due);
    deps.metrics.oldestQueuedAge.set({ channel }, oldestDueAgeMs / 1000);
    deps.metrics.leasesHeld.set({ channel }, leased);
    deps.metrics.unknownDeliveries.set({ channel }, unknown);
  }
}

/**
 * Last run and last success of every interval scheduler, and of the lease sweeper (which runs with the delivery
 * engine). A scheduler that has not run since start has no series yet. The sweeper records only successful
 * sweeps, so both of its timestamps are that time: a failing sweeper shows as a stale timestamp.
 */
function collectSchedulers(deps: CollectorDeps): void {
  const seconds = (ms: number) => ms / 1000;
  for (const scheduler of deps.schedulers) {
    const status = scheduler.status();
    if (status.lastRunAt !== null) deps.metrics.schedulerLastRun.set({ scheduler: status.name }, seconds(status.lastRunAt));
    if (status.lastSuccessAt !== null) {
      deps.metrics.schedulerLastSuccess.set({ scheduler: status.name }, seconds(status.lastSuccessAt));
    }
  }
  const { lastSweepAt } = deps.delivery.status().sweeper;
  if (lastSweepAt !== null) {
    deps.metrics.schedulerLastRun.set({ scheduler: "sweeper" }, seconds(lastSweepAt));
    deps.metrics.schedulerLastSuccess.set({ scheduler: "sweeper" }, seconds(lastSweepAt));
  }
}
