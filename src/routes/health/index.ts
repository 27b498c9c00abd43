import { createRoute, z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import { firingAlerts } from "../../alerts/alert-evaluator.ts";
import { channelBacklog } from "../../delivery/backlog.repo.ts";
import type { WorkerStatus } from "../../delivery/channel-worker.ts";
import { getOpsSettings } from "../../domain/ops-settings/ops-settings.service.ts";
import { createRouter } from "../../http/router.ts";
import { jsonContent } from "../../http/schemas.ts";
import { RECENT_WINDOW_MS } from "../../observability/latency-window.ts";
import {
  COMPONENT_STATUSES,
  type PerformanceSummary,
  READINESS_STATUSES,
  type ReadinessComponent,
} from "../../observability/readiness.ts";
import type { SchedulerStatus } from "../../schedulers/scheduler.ts";
import type { ServerDeps } from "../../server-deps.ts";

const Component = z.object({
  status: z.enum(COMPONENT_STATUSES),
  detail: z.string().optional(),
  latencyMs: z.number().optional(),
});
const Latency = z
  .object({
    count: z.number().int(),
    p50Ms: z.number(),
    p95Ms: z.number(),
    p99Ms: z.number(),
    maxMs: z.number(),
  })
  .openapi("LatencySummary");
const Performance = z
  .object({
    windowSeconds: z.number().int().openapi({ description: "The span request and delivery latency cover" }),
    requests: Latency.openapi({ description: "HTTP requests (event streams excluded)" }),
    deliveryLatency: z
      .object({ email: Latency, sms: Latency })
      .openapi({ description: "From a delivery's due time to the provider's acceptance (sent ones)" }),
    eventLoopLag: z.object({
      samples: z.number().int(),
      p50Ms: z.number(),
      p99Ms: z.number(),
      maxMs: z.number(),
      windowMs: z.number().int(),
    }),
  })
  .openapi("Performance");
const Ready = z
  .object({
    status: z.enum(READINESS_STATUSES),
    components: z.record(z.string(), Component),
    performance: Performance,
  })
  .openapi("Readiness");

const live = createRoute({
  method: "get",
  path: "/health",
  tags: ["health"],
  summary: "Liveness: the process serves requests",
  responses: { 200: jsonContent(z.object({ status: z.literal("ok") }), "Alive") },
});

const ready = createRoute({
  method: "get",
  path: "/health/ready",
  tags: ["health"],
  summary: "Readiness: database, workers, schedulers, providers, maintenance, held SMS, alerts; performance",
  description:
    "Each component is healthy, degraded (working, but an operator should look: a paused channel, SMS held as unknown, a failing or overdue scheduler, maintenance on, an alert firing) or failing. 503 only when the service cannot do its job (the database is not writable). `performance` says how fast the server is right now: request and delivery latency percentiles over the last 5 minutes and event-loop lag over the last minute.",
  responses: {
    200: jsonContent(Ready, "Ready (possibly degraded)"),
    503: jsonContent(Ready, "Cannot do its job"),
  },
});

/** `/health` and `/health/ready`. */
export function healthRoutes(deps: ServerDeps) {
  return createRouter()
    .openapi(live, (c) => c.json({ status: "ok" as const }, 200))
    .openapi(ready, async (c) => {
      const started = performance.now();
      let database: ReadinessComponent;
      try {
        // A write transaction proves the file is writable and the write lock obtainable, not just readable.
        await deps.db.write((tx) => tx.run(sql`SELECT 1`));
        database = { status: "healthy", latencyMs: Math.round((performance.now() - started) * 100) / 100 };
      } catch (error) {
        deps.logger.error("readiness check failed", { error: (error as Error).message });
        database = { status: "failing", detail: "database not writable" };
      }
      const now = deps.clock.now();
      const engine = deps.delivery.status();
      // Only ask a database that just proved writable; a failing one is reported as such above.
      const writable = database.status === "healthy";
      const held = writable ? (await channelBacklog(deps, now)).sms.unknown : 0;
      const firing = writable ? await firingAlerts(deps) : [];
      const components: Record<string, ReadinessComponent> = {
        database,
        emailWorker: workerComponent(engine.email, now),
        smsWorker: workerComponent(engine.sms, now),
        ...Object.fromEntries(
          deps.schedulers.map((s) => [`scheduler:${s.name}`, schedulerComponent(s.status(), now)]),
        ),
        sweeper: schedulerComponent(deps.delivery.sweeper.status(), now),
        emailProvider: providerComponent(deps.providers.email.name, engine.email),
        smsProvider: providerComponent(deps.providers.sms.name, engine.sms),
        maintenance: await maintenanceComponent(deps),
        heldSms:
          held > 0
            ? {
                status: "degraded",
                detail: `${held} SMS held as unknown after a crash mid-send: check and retry or cancel them`,
              }
            : { status: "healthy" },
        alerts:
          firing.length > 0
            ? { status: "degraded", detail: `firing: ${firing.join(", ")} (see GET /v1/alerts)` }
            : { status: "healthy" },
      };
      const failing = database.status === "failing";
      const degraded = Object.values(components).some((component) => component.status !== "healthy");
      return c.json(
        {
          status: failing ? ("unavailable" as const) : degraded ? ("degraded" as const) : ("ready" as const),
          components,
          performance: performanceSummary(deps),
        },
        failing ? 503 : 200,
      );
    });
}

/** A channel worker as a readiness component: paused channels and stopped workers are degraded. */
function workerComponent(worker: WorkerStatus, now: number): ReadinessComponent {
  if (worker.paused) {
    const minutes = Math.max(0, Math.ceil((worker.paused.until - now) / 60_000));
    return {
      status: "degraded",
      detail: `paused by the provider (${worker.paused.code}) for about ${minutes} more min`,
    };
  }
  return worker.running ? { status: "healthy" } : { status: "degraded", detail: "not running" };
}

/** A provider as a readiness component: its name, degraded while an account-level error pauses its channel. */
function providerComponent(name: string, worker: WorkerStatus): ReadinessComponent {
  if (worker.paused)
    return {
      status: "degraded",
      detail: `${name}: account-level error ${worker.paused.code}: ${worker.paused.message}`,
    };
  if (name === "outbox")
    return {
      status: "healthy",
      detail: "outbox: messages are captured (GET /v1/outbox), nothing leaves the machine",
    };
  return { status: "healthy", detail: name };
}

/**
 * A scheduler as a readiness component: degraded when its last run failed, when it is not running, or when a
 * running scheduler has not finished a run for more than three intervals (a tick stuck or the loop dead).
 */
function schedulerComponent(status: SchedulerStatus, now: number): ReadinessComponent {
  const last =
    status.lastRunAt === null ? "never ran" : `last run ${new Date(status.lastRunAt).toISOString()}`;
  if (status.lastError) return { status: "degraded", detail: `${last}, failed: ${status.lastError}` };
  if (!status.running) return { status: "degraded", detail: `not running (${last})` };
  if (status.lastRunAt !== null && now - status.lastRunAt > 3 * status.intervalMs) {
    return { status: "degraded", detail: `overdue: ${last}, interval ${status.intervalMs} ms` };
  }
  return { status: "healthy", detail: last };
}

/**
 * Maintenance mode as a readiness component: degraded while it holds provider sends. The operator's note stays
 * out: this endpoint answers without a key.
 */
async function maintenanceComponent(
  deps: Pick<ServerDeps, "db" | "config" | "caches" | "logger">,
): Promise<ReadinessComponent> {
  const { maintenance } = await getOpsSettings(deps);
  if (!maintenance.enabled) return { status: "healthy", detail: "off" };
  const since = maintenance.since !== null ? ` since ${new Date(maintenance.since).toISOString()}` : "";
  return { status: "degraded", detail: `on${since}: provider sends are held, deliveries stay queued` };
}

/** Request and delivery latency over the recent window, and the event loop's lag, as this process saw them. */
function performanceSummary(deps: ServerDeps): PerformanceSummary {
  const since = deps.clock.now() - RECENT_WINDOW_MS;
  return {
    windowSeconds: RECENT_WINDOW_MS / 1000,
    requests: deps.metrics.recent.requests.summary(since),
    deliveryLatency: {
      email: deps.metrics.recent.delivery.email.summary(since),
      sms: deps.metrics.recent.delivery.sms.summary(since),
    },
    eventLoopLag: deps.loopLag.snapshot(),
  };
}
