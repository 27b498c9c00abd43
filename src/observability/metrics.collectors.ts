/**
 * Scrape-time gauges: what the database and the running loops look like at the moment `GET /metrics` is
 * scraped (queue depth, oldest due age, leases, unknown deliveries, scheduler timestamps, maintenance mode from
 * the cached operator settings). Each gauge family costs at most one indexed query on the read connection, never
 * the writer, so a scrape cannot delay a commit.
 */
import { CHANNELS } from "../channels/types.ts";
import { channelBacklog } from "../delivery/backlog.repo.ts";
import { getOpsSettings } from "../domain/ops-settings/ops-settings.service.ts";
import type { ServerDeps } from "../server-deps.ts";

/** What the collectors read. */
export type CollectorDeps = Pick<
  ServerDeps,
  "db" | "config" | "caches" | "clock" | "logger" | "metrics" | "schedulers" | "delivery"
>;

/**
 * Registers Herald's collectors on `deps.metrics.registry` (once, where the deps are built). A collector that fails (the
 * database is unreachable) is logged and counted in `herald_metrics_collector_errors_total`; the scrape still
 * answers with everything counted in process, which is what an operator needs most when the database is down.
 */
export function registerCollectors(deps: CollectorDeps): void {
  const { registry } = deps.metrics;
  const guarded = (name: string, collect: () => Promise<void> | void) => async () => {
    try {
      await collect();
    } catch (error) {
      deps.metrics.collectorErrors.inc({ collector: name });
      deps.logger.warn("metrics collector failed", {
        collector: name,
        error: (error as Error)?.name,
        message: (error as Error)?.message,
      });
    }
  };
  registry.collect(guarded("queue", () => collectBacklog(deps)));
  registry.collect(guarded("schedulers", () => collectSchedulers(deps)));
  registry.collect(
    guarded("maintenance", async () =>
      deps.metrics.maintenance.set({}, (await getOpsSettings(deps)).maintenance.enabled ? 1 : 0),
    ),
  );
}

/** Queue depth, oldest due age, leases and unknown deliveries per channel. */
async function collectBacklog(deps: CollectorDeps): Promise<void> {
  const backlog = await channelBacklog(deps, deps.clock.now());
  for (const channel of CHANNELS) {
    const { due, oldestDueAgeMs, leased, unknown } = backlog[channel];
    deps.metrics.queueDepth.set({ channel }, due);
    deps.metrics.oldestQueuedAge.set({ channel }, oldestDueAgeMs / 1000);
    deps.metrics.leasesHeld.set({ channel }, leased);
    deps.metrics.unknownDeliveries.set({ channel }, unknown);
  }
}

/** Last run and last success of every interval scheduler, the delivery engine's lease sweeper included. */
function collectSchedulers(deps: CollectorDeps): void {
  const seconds = (ms: number) => ms / 1000;
  for (const scheduler of [...deps.schedulers, deps.delivery.sweeper]) {
    const status = scheduler.status();
    if (status.lastRunAt !== null)
      deps.metrics.schedulerLastRun.set({ scheduler: status.name }, seconds(status.lastRunAt));
    if (status.lastSuccessAt !== null) {
      deps.metrics.schedulerLastSuccess.set({ scheduler: status.name }, seconds(status.lastSuccessAt));
    }
  }
}
