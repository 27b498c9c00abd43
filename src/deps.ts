import type { Providers } from "./channels/types.ts";
import type { Clock } from "./clock.ts";
import type { Config } from "./config.ts";
import type { Database } from "./db/database.ts";
import type { DeliveryEngine } from "./delivery/delivery-engine.ts";
import type { DeliveryWakeups } from "./delivery/delivery-wakeups.ts";
import type { SnsHttp } from "./domain/feedback/sns-http.ts";
import type { InboxEvents } from "./domain/inbox/inbox.events.ts";
import type { Logger } from "./logger.ts";
import type { ErrorTracker } from "./observability/error-tracker.ts";
import type { EventLoopLagMonitor } from "./observability/event-loop-lag.ts";
import type { HeraldMetrics } from "./observability/herald-metrics.ts";
import type { Scheduler } from "./schedulers/scheduler.ts";

/**
 * The composition root's product: every effect the domain uses (database, clock, logger, providers, …),
 * built once at start (`main.ts`) or by the test helper with fakes. Nothing reads the environment or
 * builds a client at module top level; it all arrives through here.
 */
export interface Deps {
  config: Config;
  db: Database;
  clock: Clock;
  logger: Logger;
  /** HMAC secret for recipient tokens (HERALD_TOKEN_SECRET, or a generated one kept in settings). */
  tokenSecret: string;
  inboxEvents: InboxEvents;
  /** Email and SMS providers (SES/SNS, the outbox, or test fakes), chosen once at start. */
  providers: Providers;
  /** The delivery workers and lease sweeper; started by the server only, driven by hand in tests. */
  delivery: DeliveryEngine;
  /**
   * Tells the delivery workers that a commit made deliveries due (channel and due time), so they claim at once
   * instead of polling. Call it after the commit, never inside the transaction.
   */
  wakeups: DeliveryWakeups;
  /** Event-loop lag, measured in process (started by the server only; tests start it when they want it). */
  loopLag: EventLoopLagMonitor;
  /** The metric catalogue `GET /metrics` renders (one per process; tests get their own). */
  metrics: HeraldMetrics;
  /** Unexpected errors besides the log (Sentry when configured). */
  errors: ErrorTracker;
  /** Outbound HTTPS of the SNS webhook (signing certificates, subscription confirmations); tests serve their own. */
  snsHttp: SnsHttp;
  /** Interval schedulers (digest, retention, alerts…); started by the server only, run by hand in tests. */
  schedulers: Scheduler[];
}
