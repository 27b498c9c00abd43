/**
 * Herald's metric catalogue: every instrument in one place, named by Prometheus conventions (`herald_` prefix,
 * base units, `_total` for counters, `_seconds` for durations). Code that counts something takes its instrument
 * from `deps.metrics`; scrape-time gauges are filled by collectors registered in `metrics.collectors.ts`.
 */
import { createLatencyWindow } from "./latency-window.ts";
import { Counter, Gauge, Histogram, MetricsRegistry } from "./metrics-registry.ts";

/** Latency buckets (seconds) from a fast provider call to a notification that waited minutes. */
const latencyBuckets = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600,
] as const;

/** Builds the catalogue on a fresh registry (one per process; tests get their own). */
export function createHeraldMetrics() {
  const registry = new MetricsRegistry();
  return {
    registry,
    notificationsCreated: registry.register(
      new Counter("herald_notifications_created_total", "Notifications created, by priority and category.", [
        "priority",
        "category",
      ]),
    ),
    /**
     * Delivery outcomes by channel. `outcome` is one of sent, failed, retried, bounced, complained, delivered,
     * skipped, digested, unknown; `reason` carries the skip reason, or for outcomes decided by the lease sweeper
     * `lease-expired` / `ambiguous` (empty otherwise). `retried` counts every attempt that put the delivery back
     * in the queue, including those sent back by an account-level pause or an expired lease.
     */
    deliveries: registry.register(
      new Counter("herald_deliveries_total", "Delivery outcomes by channel, outcome and skip reason.", [
        "channel",
        "outcome",
        "reason",
      ]),
    ),
    deliveryLatency: registry.register(
      new Histogram(
        "herald_delivery_latency_seconds",
        "Time from a delivery becoming due (created, or the end of its deferral) to the provider accepting it.",
        latencyBuckets,
        ["channel"],
      ),
    ),
    providerCallDuration: registry.register(
      new Histogram(
        "herald_provider_call_duration_seconds",
        "Duration of provider calls by channel and result.",
        latencyBuckets,
        ["channel", "provider", "result"],
      ),
    ),
    smsCost: registry.register(
      new Counter("herald_sms_cost_usd_total", "Estimated cost of SMS accepted by the provider, in USD."),
    ),
    httpRequestDuration: registry.register(
      new Histogram(
        "herald_http_request_duration_seconds",
        "HTTP request duration by route pattern, method and status class.",
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
        ["route", "method", "status"],
      ),
    ),
    queueDepth: registry.register(
      new Gauge("herald_queue_depth", "Deliveries queued and due now, by channel.", ["channel"]),
    ),
    oldestQueuedAge: registry.register(
      new Gauge(
        "herald_queue_oldest_age_seconds",
        "Age of the oldest due queued delivery, by channel (0 when none).",
        ["channel"],
      ),
    ),
    leasesHeld: registry.register(
      new Gauge("herald_leases_held", "Deliveries leased by a worker right now, by channel.", ["channel"]),
    ),
    unknownDeliveries: registry.register(
      new Gauge(
        "herald_deliveries_unknown",
        "Deliveries held as unknown after an ambiguous send, by channel.",
        ["channel"],
      ),
    ),
    schedulerLastRun: registry.register(
      new Gauge(
        "herald_scheduler_last_run_timestamp_seconds",
        "When each scheduler last finished a run (Unix time).",
        ["scheduler"],
      ),
    ),
    schedulerLastSuccess: registry.register(
      new Gauge(
        "herald_scheduler_last_success_timestamp_seconds",
        "When each scheduler last ran without error (Unix time).",
        ["scheduler"],
      ),
    ),
    /**
     * How late the lag monitor's timer fired (`event-loop-lag.ts`): how long the single thread was held by
     * something else. The targets are p99 <= 5 ms and max <= 25 ms under load.
     */
    eventLoopLag: registry.register(
      new Histogram(
        "herald_event_loop_lag_seconds",
        "Event-loop lag: how late a timer due every 20 ms fired, i.e. how long the thread was held.",
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      ),
    ),
    maintenance: registry.register(
      new Gauge("herald_maintenance_mode", "1 while maintenance mode pauses provider sends."),
    ),
    alertsFiring: registry.register(
      new Gauge("herald_alerts_firing", "1 for each in-process alert rule that is firing.", [
        "alert",
        "severity",
      ]),
    ),
    /** A scrape-time collector that failed (its gauges keep their last values); see `metrics.collectors.ts`. */
    collectorErrors: registry.register(
      new Counter(
        "herald_metrics_collector_errors_total",
        "Scrape-time collectors that failed, by collector.",
        ["collector"],
      ),
    ),
    /**
     * The last few thousand request and delivery latencies with their times, for "slow right now" questions
     * (`/health/ready`'s performance summary, `herald status`); the histograms above serve Prometheus.
     */
    recent: {
      requests: createLatencyWindow(),
      delivery: { email: createLatencyWindow(), sms: createLatencyWindow() },
    },
  };
}

/** The catalogue type, as `deps.metrics`. */
export type HeraldMetrics = ReturnType<typeof createHeraldMetrics>;
