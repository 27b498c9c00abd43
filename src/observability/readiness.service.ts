/**
 * Gathers the running server's readiness: a write transaction on the database, the workers, schedulers and
 * providers, maintenance, held SMS and firing alerts, judged by readiness.rules.ts, and the performance summary.
 * What `GET /health/ready` answers.
 */
import { sql } from "drizzle-orm";
import { firingAlerts } from "../alerts/alert-evaluator.ts";
import { runsDelivery } from "../config.ts";
import { type ChannelBacklog, channelBacklog } from "../delivery/backlog.repo.ts";
import { getOpsSettings } from "../domain/ops-settings/ops-settings.service.ts";
import type { ServerDeps } from "../server-deps.ts";
import { RECENT_WINDOW_MS } from "./latency-window.ts";
import {
  alertsComponent,
  heldSmsComponent,
  providerComponent,
  readinessStatus,
  schedulerComponent,
  workerComponent,
} from "./readiness.rules.ts";
import type { PerformanceSummary, Readiness, ReadinessComponent } from "./readiness.ts";

/**
 * The readiness of this server right now. A caller that reads the queue backlog anyway (the admin overview) passes
 * its read, so the page reads it once.
 */
export async function checkReadiness(
  deps: ServerDeps,
  backlog?: Promise<ChannelBacklog>,
): Promise<Required<Readiness>> {
  const database = await databaseComponent(deps);
  const now = deps.clock.now();
  const role = deps.config.HERALD_ROLE;
  const engine = deps.delivery.status();
  // Only ask a database that just proved writable; a failing one is reported as such.
  const writable = database.status === "healthy";
  const held = writable ? (await (backlog ?? channelBacklog(deps, now))).sms.unknown : 0;
  const firing = writable ? await firingAlerts(deps) : [];
  // An `api` process runs no workers or schedulers by design: they are not its to report as stopped.
  const delivery = runsDelivery(role);
  const elsewhere: ReadinessComponent = {
    status: "healthy",
    detail: "runs in the worker processes (role api)",
  };
  const components: Record<string, ReadinessComponent> = {
    database,
    emailWorker: delivery ? workerComponent(engine.email, now) : elsewhere,
    smsWorker: delivery ? workerComponent(engine.sms, now) : elsewhere,
    ...Object.fromEntries(
      deps.schedulers.map((s) => [
        `scheduler:${s.name}`,
        delivery ? schedulerComponent(s.status(), now) : elsewhere,
      ]),
    ),
    sweeper: delivery ? schedulerComponent(deps.delivery.sweeper.status(), now) : elsewhere,
    emailProvider: providerComponent(deps.providers.email.name, engine.email),
    smsProvider: providerComponent(deps.providers.sms.name, engine.sms),
    maintenance: await maintenanceComponent(deps),
    heldSms: heldSmsComponent(held),
    alerts: alertsComponent(firing),
  };
  return { status: readinessStatus(components), role, components, performance: performanceSummary(deps) };
}

/** A write transaction proves the file is writable and the write lock obtainable, not just readable. */
async function databaseComponent(deps: Pick<ServerDeps, "db" | "logger">): Promise<ReadinessComponent> {
  const started = performance.now();
  try {
    await deps.db.write((tx) => tx.run(sql`SELECT 1`));
    return { status: "healthy", latencyMs: Math.round((performance.now() - started) * 100) / 100 };
  } catch (error) {
    deps.logger.error("readiness check failed", { error: (error as Error).message });
    return { status: "failing", detail: "database not writable" };
  }
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
