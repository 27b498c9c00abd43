import type { Caches } from "./caches.ts";
import type { Clock } from "./clock.ts";
import type { Config } from "./config.ts";
import type { Database } from "./db/database.ts";
import type { DeliveryWakeups } from "./delivery/delivery-wakeups.ts";
import type { SnsHttp } from "./domain/feedback/sns-http.ts";
import type { InboxEvents } from "./domain/inbox/inbox.events.ts";
import type { Logger } from "./logger.ts";
import type { ErrorTracker } from "./observability/error-tracker.ts";
import type { HeraldMetrics } from "./observability/herald-metrics.ts";

/**
 * What the domain uses: the database, clock, logger, metrics and the other effects every service may need,
 * built once by the composition root (`bootstrap.ts`) for the server, a CLI command or a test. Nothing reads
 * the environment or builds a client at module top level; it all arrives through here. The machinery only the
 * server runs (providers, delivery engine, schedulers, lag monitor) is in {@link ServerDeps} (server-deps.ts),
 * so a domain service cannot reach for it, and a CLI command does not build it.
 */
export interface Deps {
  config: Config;
  db: Database;
  clock: Clock;
  logger: Logger;
  /** HMAC secret for recipient tokens (HERALD_TOKEN_SECRET, or a generated one kept in settings). */
  tokenSecret: string;
  inboxEvents: InboxEvents;
  /**
   * Tells the delivery workers that a commit made deliveries due (channel and due time), so they claim at once
   * instead of polling. Call it after the commit, never inside the transaction.
   */
  wakeups: DeliveryWakeups;
  /** The metric catalogue `GET /metrics` renders (one per process; tests get their own). */
  metrics: HeraldMetrics;
  /** Unexpected errors besides the log (Sentry when configured). */
  errors: ErrorTracker;
  /** Outbound HTTPS of the SNS webhook (signing certificates, subscription confirmations); tests serve their own. */
  snsHttp: SnsHttp;
  /** This app's short-lived caches of settings, templates, branding and API keys (caches.ts). */
  caches: Caches;
}
