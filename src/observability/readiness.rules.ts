/**
 * How each part of a running Herald counts for readiness: pure judgements over the parts' own status reports
 * (the readiness service gathers them; `/health/ready` and `herald status` show the result).
 */
import type { WorkerStatus } from "../delivery/channel-worker.ts";
import type { SchedulerStatus } from "../schedulers/scheduler.ts";
import type { ReadinessComponent, ReadinessStatus } from "./readiness.ts";

/** A channel worker as a readiness component: paused channels and stopped workers are degraded. */
export function workerComponent(worker: WorkerStatus, now: number): ReadinessComponent {
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
export function providerComponent(name: string, worker: WorkerStatus): ReadinessComponent {
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
export function schedulerComponent(status: SchedulerStatus, now: number): ReadinessComponent {
  const last =
    status.lastRunAt === null ? "never ran" : `last run ${new Date(status.lastRunAt).toISOString()}`;
  if (status.lastError) return { status: "degraded", detail: `${last}, failed: ${status.lastError}` };
  if (!status.running) return { status: "degraded", detail: `not running (${last})` };
  if (status.lastRunAt !== null && now - status.lastRunAt > 3 * status.intervalMs) {
    return { status: "degraded", detail: `overdue: ${last}, interval ${status.intervalMs} ms` };
  }
  return { status: "healthy", detail: last };
}

/** Held SMS (outcome unknown after a crash mid-send) need an operator. */
export function heldSmsComponent(held: number): ReadinessComponent {
  return held > 0
    ? {
        status: "degraded",
        detail: `${held} SMS held as unknown after a crash mid-send: check and retry or cancel them`,
      }
    : { status: "healthy" };
}

/** Firing alerts make the service degraded, with their names. */
export function alertsComponent(firing: readonly string[]): ReadinessComponent {
  return firing.length > 0
    ? { status: "degraded", detail: `firing: ${firing.join(", ")} (see GET /v1/alerts)` }
    : { status: "healthy" };
}

/**
 * The verdict: unavailable (503) only when the database cannot take writes; degraded when any component wants
 * an operator's look; ready otherwise.
 */
export function readinessStatus(components: Record<string, ReadinessComponent>): ReadinessStatus {
  if (components.database?.status === "failing") return "unavailable";
  return Object.values(components).some((c) => c.status !== "healthy") ? "degraded" : "ready";
}
