/**
 * What `GET /health/ready` answers, defined once: the route builds it and publishes its schema from these
 * lists, and `herald status` reads it with these types (the CLI imports no HTTP schema).
 */
import type { Role } from "../config.ts";
import type { LagSnapshot } from "./event-loop-lag.ts";
import type { LatencySummary } from "./latency-window.ts";

/** The service's verdict: `degraded` works but wants an operator's look; `unavailable` cannot do its job. */
export const READINESS_STATUSES = ["ready", "degraded", "unavailable"] as const;
export type ReadinessStatus = (typeof READINESS_STATUSES)[number];

/** One component's state. */
export const COMPONENT_STATUSES = ["healthy", "degraded", "failing"] as const;
export type ComponentStatus = (typeof COMPONENT_STATUSES)[number];

/** One component of the readiness answer (database, a worker, a scheduler, a provider…). */
export interface ReadinessComponent {
  status: ComponentStatus;
  detail?: string;
  latencyMs?: number;
}

/**
 * How fast the server is right now: request and delivery latency over the last {@link
 * PerformanceSummary.windowSeconds}, event-loop lag over the lag monitor's window. The answer to "it's slow".
 */
export interface PerformanceSummary {
  windowSeconds: number;
  /** Every HTTP request except event streams, from the first middleware to the last byte handed to Bun. */
  requests: LatencySummary;
  /** From a delivery's due time to the provider's acceptance, per channel (sent deliveries only). */
  deliveryLatency: { email: LatencySummary; sms: LatencySummary };
  eventLoopLag: LagSnapshot;
}

/** The body of `GET /health/ready`. */
export interface Readiness {
  status: ReadinessStatus;
  /** What this process runs (`HERALD_ROLE`); absent only from servers older than this field. */
  role?: Role;
  components: Record<string, ReadinessComponent>;
  /** Absent only from servers older than this field. */
  performance?: PerformanceSummary;
}
